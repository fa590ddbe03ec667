/// The port the server bound, handed from the server (once it listens) to whoever waits for it.
actor BoundAddress {
    private enum State {
        case waiting([CheckedContinuation<Int, any Error>])
        case bound(Int)
        case stopped
    }

    private var state = State.waiting([])

    struct NotRunning: Error, CustomStringConvertible {
        var description: String { "the simulator stopped before it was listening" }
    }

    func bind(_ port: Int) {
        guard case .waiting(let waiters) = state else { return }
        state = .bound(port)
        waiters.forEach { $0.resume(returning: port) }
    }

    func stop() {
        if case .waiting(let waiters) = state {
            waiters.forEach { $0.resume(throwing: NotRunning()) }
        }
        state = .stopped
    }

    func port() async throws -> Int {
        switch state {
        case .bound(let port): return port
        case .stopped: throw NotRunning()
        case .waiting:
            return try await withCheckedThrowingContinuation { continuation in
                if case .waiting(var waiters) = state {
                    waiters.append(continuation)
                    state = .waiting(waiters)
                } else if case .bound(let port) = state {
                    continuation.resume(returning: port)
                } else {
                    continuation.resume(throwing: NotRunning())
                }
            }
        }
    }
}
