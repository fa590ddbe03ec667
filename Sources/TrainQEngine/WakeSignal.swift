import Synchronization

/// A doorbell for a service loop: `ring()` from anywhere wakes the one waiter, or the next one to wait if
/// nobody waits right now (rings are never lost, several rings while busy count as one).
///
/// This is what lets a new submission's first attempt start within milliseconds of its `202` instead of
/// at the next poll.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
        var nextID: UInt64 = 0
        var stopRequested = false
    }

    private let state = Mutex(State())

    init() {}

    /// Marks the loop as asked to stop (graceful shutdown) and wakes it. Waiting still works afterwards,
    /// so the loop can drain.
    func requestStop() {
        state.withLock { $0.stopRequested = true }
        ring()
    }

    var stopRequested: Bool {
        state.withLock { $0.stopRequested }
    }

    func ring() {
        let continuation: CheckedContinuation<Void, Never>? = state.withLock { state in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.pending = true
            return nil
        }
        continuation?.resume()
    }

    /// Returns at the first ring (or at once if one is pending), after `timeout` when given, or when the
    /// task is canceled.
    func wait(timeout: Duration?) async {
        if consumePending() { return }
        guard let timeout else {
            await waitForRing()
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForRing() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func consumePending() -> Bool {
        state.withLock { state in
            defer { state.pending = false }
            return state.pending
        }
    }

    private func waitForRing() async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = state.withLock { state in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    // Only one loop waits on a signal; a stale waiter (there should be none) is released.
                    let stale = state.waiter
                    state.waiter = (id, continuation)
                    stale?.continuation.resume()
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Void, Never>? = state.withLock { state in
                guard let waiter = state.waiter, waiter.id == id else { return nil }
                state.waiter = nil
                return waiter.continuation
            }
            continuation?.resume()
        }
    }
}
