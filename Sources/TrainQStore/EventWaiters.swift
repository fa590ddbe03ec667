/// Callers of `waitForEvents` that are parked until an event above their `after` is committed,
/// or their timeout passes. A value type: the store resumes what these methods hand back.
struct EventWaiters {
    struct Waiter {
        let after: Int64
        let continuation: CheckedContinuation<Bool, Never>
        /// Fires the timeout; cancelled when the waiter is resumed earlier.
        let timeout: Task<Void, Never>?
    }

    private var waiters: [Int: Waiter] = [:]
    private var nextID = 0

    var isEmpty: Bool { waiters.isEmpty }
    var count: Int { waiters.count }

    /// An id for a waiter about to be added, so a cancellation handler can name it beforehand.
    mutating func reserveID() -> Int {
        defer { nextID += 1 }
        return nextID
    }

    mutating func add(
        id: Int, after: Int64, continuation: CheckedContinuation<Bool, Never>, timeout: Task<Void, Never>
    ) {
        waiters[id] = Waiter(after: after, continuation: continuation, timeout: timeout)
    }

    mutating func remove(_ id: Int) -> Waiter? {
        waiters.removeValue(forKey: id)
    }

    /// Removes and returns the waiters for which `lastSequence` is news.
    mutating func removeSatisfied(by lastSequence: Int64) -> [Waiter] {
        let satisfied = waiters.filter { $0.value.after < lastSequence }
        for id in satisfied.keys {
            waiters.removeValue(forKey: id)
        }
        return Array(satisfied.values)
    }

    mutating func removeAll() -> [Waiter] {
        defer { waiters.removeAll() }
        return Array(waiters.values)
    }
}
