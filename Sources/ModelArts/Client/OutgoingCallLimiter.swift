/// The one gate every outgoing call passes: a token bucket (`rate` per second, up to `burst` saved up)
/// and a cap on calls in flight. Shared by everything that talks to the service, so a burst of local
/// submissions or a 429 storm never turns into a flood at the gateway.
///
/// Waiters are served first come, first served; a cancelled waiter leaves the queue without a permit.
public actor OutgoingCallLimiter {
    public struct Configuration: Sendable, Hashable {
        public var rate: Double
        public var burst: Int
        public var concurrency: Int

        /// Values below the minimum (rate > 0, burst ≥ 1, concurrency ≥ 1) are raised to it.
        public init(rate: Double, burst: Int, concurrency: Int) {
            self.rate = rate.isFinite && rate > 0 ? rate : 0.001
            self.burst = max(1, burst)
            self.concurrency = max(1, concurrency)
        }
    }

    /// A granted call slot; give it back with `release(_:)` when the call is over.
    public struct Permit: Sendable {
        /// How long the caller queued for it.
        public let waited: Duration
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private enum State {
        case open
        case closed
    }

    public let configuration: Configuration
    private var state: State = .open
    private var bucket: TokenBucket
    private var inFlight = 0
    private var waiters: [Waiter] = []
    private var nextWaiterID: UInt64 = 0
    private var refillTimer: Task<Void, Never>?
    private let clock = ContinuousClock()

    public init(configuration: Configuration) {
        self.configuration = configuration
        self.bucket = TokenBucket(rate: configuration.rate, capacity: configuration.burst, now: ContinuousClock().now)
    }

    /// Calls currently holding a permit.
    public var callsInFlight: Int { inFlight }
    /// Callers queued for a permit.
    public var callsWaiting: Int { waiters.count }

    /// Waits for a token and a free slot. Throws `CancellationError` if the task is cancelled while
    /// waiting, or once the limiter is closed.
    public func acquire() async throws -> Permit {
        let start = clock.now
        guard case .open = state else { throw CancellationError() }
        try Task.checkCancellation()
        if waiters.isEmpty, takeIfAvailable() { return Permit(waited: .zero) }
        nextWaiterID += 1
        let id = nextWaiterID
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                waiters.append(Waiter(id: id, continuation: continuation))
                serveWaiters()
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
        return Permit(waited: clock.now - start)
    }

    /// Returns a slot.
    public func release(_ permit: Permit) {
        inFlight = max(0, inFlight - 1)
        serveWaiters()
    }

    /// Fails every waiter and refuses new callers (used at shutdown).
    public func close() {
        state = .closed
        refillTimer?.cancel()
        refillTimer = nil
        let failed = waiters
        waiters.removeAll()
        for waiter in failed { waiter.continuation.resume(throwing: CancellationError()) }
    }

    // MARK: - Bucket

    private func takeIfAvailable() -> Bool {
        guard inFlight < configuration.concurrency, bucket.take(now: clock.now) else { return false }
        inFlight += 1
        return true
    }

    private func serveWaiters() {
        while let first = waiters.first {
            guard takeIfAvailable() else {
                // Out of slots: `release` serves the queue again. Out of tokens: wake when one is due.
                if inFlight < configuration.concurrency { scheduleRefill() }
                return
            }
            waiters.removeFirst()
            first.continuation.resume()
        }
    }

    private func scheduleRefill() {
        guard refillTimer == nil else { return }
        // A millisecond late, so the token is surely whole when the timer fires.
        let delay = bucket.timeUntilNextToken() + .milliseconds(1)
        refillTimer = Task { [weak self] in
            try? await Task.sleep(for: delay)
            await self?.refillTimerFired()
        }
    }

    private func refillTimerFired() {
        refillTimer = nil
        guard case .open = state else { return }
        serveWaiters()
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.continuation.resume(throwing: CancellationError())
        serveWaiters()
    }
}
