/// The one gate every outgoing call passes: a token bucket (`rate` per second, up to `burst` saved up)
/// and a cap on calls in flight. Shared by everything that talks to the service, so a burst of local
/// submissions or a 429 storm never turns into a flood at the gateway.
///
/// The rate adapts to the gateway (`AdaptiveRate`): a 429 slows every caller at once, success lets it
/// climb back, never above `rate`. Waiters are served first come, first served within their priority, and
/// every `.normal` waiter before any `.background` one, so creates are not starved by tracking polls; a
/// cancelled waiter leaves the queue without a permit.
public actor OutgoingCallLimiter {
    /// Who waits first when both wait.
    public enum Priority: Sendable, Hashable {
        /// Creates, stops, reconciliation and a person's checks.
        case normal
        /// Tracking polls: they can wait, and stretch their intervals instead.
        case background
    }

    /// How a call that held a permit ended, for the rate to adapt.
    public enum CallOutcome: Sendable, Hashable {
        case succeeded
        /// A 429, with the rate the answer stated (APIGW.0308's window) if it stated one.
        case throttled(statedRate: Double?)
        /// Any other failure: says nothing about the rate.
        case failed
    }

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
        /// When it was granted: a 429 for a call let out before the last slow-down says nothing new.
        let grantedAt: ContinuousClock.Instant
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private enum State {
        case open
        case closed
    }

    public nonisolated let configuration: Configuration
    private var state: State = .open
    private var bucket: TokenBucket
    private var inFlight = 0
    private var waiters: [Waiter] = []
    private var backgroundWaiters: [Waiter] = []
    private var adaptive: AdaptiveRate
    private var nextWaiterID: UInt64 = 0
    private var refillTimer: Task<Void, Never>?
    private let clock = ContinuousClock()
    /// How many daemons share `configuration.rate` (several on one database): each lets out its part.
    private var sharers = 1

    public init(configuration: Configuration) {
        self.configuration = configuration
        self.bucket = TokenBucket(rate: configuration.rate, capacity: configuration.burst, now: ContinuousClock().now)
        self.adaptive = AdaptiveRate(ceiling: configuration.rate)
    }

    /// `daemons` daemons send to the same account, each through its own limiter: this one lets out
    /// `1/daemons` of the configured rate and burst, so together they stay within `modelarts.rate_limit`.
    public func share(among daemons: Int) {
        let daemons = max(1, daemons)
        guard daemons != sharers else { return }
        sharers = daemons
        adaptive.setCeiling(configuration.rate / Double(daemons))
        bucket.adapt(rate: adaptive.current, capacity: capacity(for: adaptive), now: clock.now)
        serveWaiters()
    }

    /// How many daemons this limiter shares the configured rate with (itself included).
    public var sharedAmong: Int { sharers }

    /// Calls per second let out now: `configuration.rate`, or less while the gateway throttles.
    public var currentRate: Double { adaptive.current }

    /// Calls currently holding a permit.
    public var callsInFlight: Int { inFlight }
    /// Callers queued for a permit.
    public var callsWaiting: Int { waiters.count + backgroundWaiters.count }

    /// Waits for a token and a free slot. Throws `CancellationError` if the task is cancelled while
    /// waiting, or once the limiter is closed.
    public func acquire(priority: Priority = .normal) async throws -> Permit {
        let start = clock.now
        guard case .open = state else { throw CancellationError() }
        try Task.checkCancellation()
        if waiters.isEmpty, priority == .normal || backgroundWaiters.isEmpty, takeIfAvailable() {
            return Permit(waited: .zero, grantedAt: start)
        }
        nextWaiterID += 1
        let id = nextWaiterID
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                switch priority {
                case .normal: waiters.append(Waiter(id: id, continuation: continuation))
                case .background: backgroundWaiters.append(Waiter(id: id, continuation: continuation))
                }
                serveWaiters()
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
        let granted = clock.now
        return Permit(waited: granted - start, grantedAt: granted)
    }

    /// Returns a slot, and lets the rate learn from how the call went.
    public func release(_ permit: Permit, outcome: CallOutcome = .failed) {
        inFlight = max(0, inFlight - 1)
        let now = clock.now
        switch outcome {
        case .succeeded:
            adaptive.succeeded(now: now)
            bucket.adapt(rate: adaptive.current, capacity: capacity(for: adaptive), now: now)
        case .throttled(let statedRate):
            if adaptive.throttled(grantedAt: permit.grantedAt, statedRate: statedRate, now: now) {
                // Start the slower pace from an empty bucket: the gateway's own is empty too.
                bucket.adapt(rate: adaptive.current, capacity: capacity(for: adaptive), now: now, emptied: true)
                refillTimer?.cancel()
                refillTimer = nil
            }
        case .failed:
            break
        }
        serveWaiters()
    }

    /// At the configured rate, the configured burst; slowed down, no burst above one second's worth, so
    /// the first calls after a pause do not meet the gateway's limit at once.
    private func capacity(for rate: AdaptiveRate) -> Int {
        let burst = max(1, configuration.burst / sharers)
        return rate.isReduced ? max(1, min(burst, Int(rate.current.rounded(.down)))) : burst
    }

    /// Fails every waiter and refuses new callers (used at shutdown).
    public func close() {
        state = .closed
        refillTimer?.cancel()
        refillTimer = nil
        let failed = waiters + backgroundWaiters
        waiters.removeAll()
        backgroundWaiters.removeAll()
        for waiter in failed { waiter.continuation.resume(throwing: CancellationError()) }
    }

    // MARK: - Bucket

    private func takeIfAvailable() -> Bool {
        guard inFlight < configuration.concurrency, bucket.take(now: clock.now) else { return false }
        inFlight += 1
        return true
    }

    private func serveWaiters() {
        while !waiters.isEmpty || !backgroundWaiters.isEmpty {
            guard takeIfAvailable() else {
                // Out of slots: `release` serves the queue again. Out of tokens: wake when one is due.
                if inFlight < configuration.concurrency { scheduleRefill() }
                return
            }
            let next = waiters.isEmpty ? backgroundWaiters.removeFirst() : waiters.removeFirst()
            next.continuation.resume()
        }
    }

    private func scheduleRefill() {
        guard refillTimer == nil else { return }
        // A millisecond late, so the token is surely whole when the timer fires.
        let delay = bucket.timeUntilNextToken() + .milliseconds(1)
        refillTimer = Task { [weak self] in
            try? await Task.sleep(for: delay)
            // Replaced by a slower pace meanwhile: the new timer serves the queue.
            guard !Task.isCancelled else { return }
            await self?.refillTimerFired()
        }
    }

    private func refillTimerFired() {
        refillTimer = nil
        guard case .open = state else { return }
        serveWaiters()
    }

    private func cancelWaiter(_ id: UInt64) {
        let waiter: Waiter
        if let index = waiters.firstIndex(where: { $0.id == id }) {
            waiter = waiters.remove(at: index)
        } else if let index = backgroundWaiters.firstIndex(where: { $0.id == id }) {
            waiter = backgroundWaiters.remove(at: index)
        } else {
            return
        }
        waiter.continuation.resume(throwing: CancellationError())
        serveWaiters()
    }
}
