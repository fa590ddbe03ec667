/// The port the server bound, handed from the server (once it listens) to whoever waits for it.
actor BoundAddress {
    private enum State {
        case waiting([CheckedContinuation<Int, any Error>])
        case bound(Int)
        case stopped(reason: String?)
    }

    private var state = State.waiting([])

    struct NotRunning: Error, CustomStringConvertible {
        var reason: String?
        var description: String {
            "the simulator stopped before it was listening" + (reason.map { ": " + $0 } ?? "")
        }
    }

    func bind(_ port: Int) {
        guard case .waiting(let waiters) = state else { return }
        state = .bound(port)
        waiters.forEach { $0.resume(returning: port) }
    }

    /// - Parameter error: why the server stopped, reported to whoever still waits for the port.
    func stop(because error: (any Error)? = nil) {
        let reason = error.map { "\($0)" }
        if case .waiting(let waiters) = state {
            waiters.forEach { $0.resume(throwing: NotRunning(reason: reason)) }
        }
        state = .stopped(reason: reason)
    }

    func port() async throws -> Int {
        switch state {
        case .bound(let port): return port
        case .stopped(let reason): throw NotRunning(reason: reason)
        case .waiting:
            return try await withCheckedThrowingContinuation { continuation in
                switch state {
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                case .bound(let port):
                    continuation.resume(returning: port)
                case .stopped(let reason):
                    continuation.resume(throwing: NotRunning(reason: reason))
                }
            }
        }
    }
}
