import Synchronization
import Testing
@testable import ModelArts

@Suite struct OutgoingCallLimiterTests {
    @Test func burstIsGrantedAtOnceThenCallersQueue() async throws {
        // A rate so low that no token comes back during the test.
        let limiter = OutgoingCallLimiter(configuration: .init(rate: 0.0001, burst: 3, concurrency: 10))
        var permits: [OutgoingCallLimiter.Permit] = []
        for _ in 0..<3 { permits.append(try await limiter.acquire()) }
        #expect(permits.allSatisfy { $0.waited == .zero })
        let waiter = Task { try await limiter.acquire() }
        // Bounded wait for the fourth caller to queue.
        await Self.untilQueued(limiter)
        #expect(await limiter.callsWaiting == 1)
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(await limiter.callsWaiting == 0)
        for permit in permits { await limiter.release(permit) }
        #expect(await limiter.callsInFlight == 0)
    }

    /// Three daemons on one database: each lets out a third of the rate and of the burst, and goes back to
    /// the whole when it is alone again.
    @Test func aSharedLimiterLetsOutItsPartOfRateAndBurst() async throws {
        let limiter = OutgoingCallLimiter(configuration: .init(rate: 30, burst: 9, concurrency: 10))
        await limiter.share(among: 3)
        #expect(await limiter.currentRate == 10)
        #expect(await limiter.sharedAmong == 3)
        await limiter.share(among: 1)
        #expect(await limiter.currentRate == 30)

        // A rate so low that no token comes back during the test: a third of the burst, then callers queue.
        let slow = OutgoingCallLimiter(configuration: .init(rate: 0.0003, burst: 9, concurrency: 10))
        await slow.share(among: 3)
        var permits: [OutgoingCallLimiter.Permit] = []
        for _ in 0..<3 { permits.append(try await slow.acquire()) }
        #expect(permits.allSatisfy { $0.waited == .zero })
        let waiter = Task { try await slow.acquire() }
        await Self.untilQueued(slow)
        #expect(await slow.callsWaiting == 1)
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        for permit in permits { await slow.release(permit) }
    }

    @Test func concurrencyCapHoldsUnderLoad() async throws {
        let limiter = OutgoingCallLimiter(configuration: .init(rate: 1_000_000, burst: 1000, concurrency: 2))
        let peak = PeakCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    let permit = try await limiter.acquire()
                    peak.state.withLock { $0.current += 1; $0.highest = max($0.highest, $0.current) }
                    for _ in 0..<10 { await Task.yield() }
                    peak.state.withLock { $0.current -= 1 }
                    await limiter.release(permit)
                }
            }
            try await group.waitForAll()
        }
        #expect(peak.state.withLock { $0.highest } <= 2)
        #expect(peak.state.withLock { $0.highest } >= 1)
        #expect(await limiter.callsInFlight == 0)
    }

    @Test func aStarvedCallerWaitsAndReportsTheWait() async throws {
        let limiter = OutgoingCallLimiter(configuration: .init(rate: 200, burst: 1, concurrency: 4))
        let first = try await limiter.acquire()
        let second = try await limiter.acquire()
        #expect(first.waited == .zero)
        #expect(second.waited > .zero)
        await limiter.release(first)
        await limiter.release(second)
    }

    @Test func closeFailsWaiters() async throws {
        let limiter = OutgoingCallLimiter(configuration: .init(rate: 0.0001, burst: 1, concurrency: 1))
        let permit = try await limiter.acquire()
        let waiter = Task { try await limiter.acquire() }
        await Self.untilQueued(limiter)
        await limiter.close()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        await #expect(throws: CancellationError.self) { try await limiter.acquire() }
        await limiter.release(permit)
    }

    /// Yields until a caller is queued, a bounded number of times.
    static func untilQueued(_ limiter: OutgoingCallLimiter, count: Int = 1) async {
        for _ in 0..<10_000 {
            if await limiter.callsWaiting >= count { return }
            await Task.yield()
        }
    }

    @Test func configurationRaisesNonsenseToMinimums() {
        let configuration = OutgoingCallLimiter.Configuration(rate: -1, burst: 0, concurrency: 0)
        #expect(configuration.rate > 0)
        #expect(configuration.burst == 1)
        #expect(configuration.concurrency == 1)
    }
}

/// Counts calls in flight and remembers the highest count seen.
final class PeakCounter: Sendable {
    let state = Mutex((current: 0, highest: 0))
}

@Suite struct TokenBucketTests {
    @Test func burstThenRate() {
        let start = ContinuousClock().now
        var bucket = OutgoingCallLimiter.TokenBucket(rate: 2, capacity: 3, now: start)
        let burst = (0..<4).map { _ in bucket.take(now: start) }
        #expect(burst == [true, true, true, false])
        #expect(bucket.timeUntilNextToken() == .milliseconds(500))
        let later = [
            bucket.take(now: start.advanced(by: .milliseconds(499))),
            bucket.take(now: start.advanced(by: .milliseconds(500))),
            bucket.take(now: start.advanced(by: .milliseconds(500))),
        ]
        #expect(later == [false, true, false])
    }

    @Test func neverSavesMoreThanCapacity() {
        let start = ContinuousClock().now
        var bucket = OutgoingCallLimiter.TokenBucket(rate: 10, capacity: 2, now: start)
        let later = start.advanced(by: .seconds(3600))
        let taken = (0..<3).map { _ in bucket.take(now: later) }
        #expect(taken == [true, true, false])
    }

    @Test func timeGoingBackwardsAddsNothing() {
        let start = ContinuousClock().now
        var bucket = OutgoingCallLimiter.TokenBucket(rate: 1, capacity: 1, now: start)
        let taken = [bucket.take(now: start), bucket.take(now: start.advanced(by: .seconds(-5)))]
        #expect(taken == [true, false])
        #expect(bucket.timeUntilNextToken() == .seconds(1))
    }
}
