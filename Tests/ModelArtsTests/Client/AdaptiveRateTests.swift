import Synchronization
import Testing
@testable import ModelArts

/// The limiter's rate as a pure value: down at once on a 429, slowly back up, never above the ceiling.
@Suite struct AdaptiveRateTests {
    typealias Rate = OutgoingCallLimiter.AdaptiveRate
    let start = ContinuousClock.now

    @Test func aStatedWindowSetsTheRateAtOnce() {
        var rate = Rate(ceiling: 100)
        #expect(!rate.isReduced)
        let lowered = rate.throttled(grantedAt: start, statedRate: 5, now: start + .milliseconds(10))
        #expect(lowered)
        #expect(rate.current == 5)
        #expect(rate.isReduced)
    }

    @Test func withoutAWindowOrAtItTheRateIsCutByAFactor() {
        var rate = Rate(ceiling: 100)
        _ = rate.throttled(grantedAt: start, statedRate: nil, now: start)
        #expect(rate.current == 100 * Rate.decreaseFactor)
        // Already at the stated rate and still throttled (another tool shares the keys): cut further.
        var shared = Rate(ceiling: 100)
        _ = shared.throttled(grantedAt: start, statedRate: 10, now: start)
        _ = shared.throttled(grantedAt: start + .seconds(1), statedRate: 10, now: start + .seconds(2))
        #expect(shared.current == 10 * Rate.decreaseFactor)
    }

    @Test func callsLetOutBeforeTheCutDoNotCutAgain() {
        var rate = Rate(ceiling: 100)
        let cut = start + .seconds(1)
        let lowered = rate.throttled(grantedAt: start, statedRate: nil, now: cut)
        #expect(lowered)
        // The rest of the burst sent at the old rate comes back 429 too: one cut, not ten.
        for _ in 0..<10 {
            let lowered = rate.throttled(grantedAt: start + .milliseconds(500), statedRate: nil, now: cut + .milliseconds(100))
            #expect(!lowered)
        }
        #expect(rate.current == 70)
    }

    @Test func successClimbsBackSlowlyAndNeverAboveTheCeiling() {
        var rate = Rate(ceiling: 10)
        _ = rate.throttled(grantedAt: start, statedRate: 5, now: start)
        rate.succeeded(now: start + .seconds(1))
        // Near the rate that drew the 429 it only probes: 0.2 % a second.
        #expect(abs(rate.current - 5.01) < 1e-9)
        // A success after a long quiet spell climbs one second's worth, not a minute's.
        rate.succeeded(now: start + .seconds(61))
        #expect(rate.current < 5.03)
        var now = start + .seconds(61)
        for _ in 0..<10_000 {
            now += .milliseconds(100)
            rate.succeeded(now: now)
        }
        #expect(rate.current == 10)
        #expect(!rate.isReduced)
    }

    @Test func awayFromTheLastLimitItClimbsFaster() {
        var rate = Rate(ceiling: 100)
        _ = rate.throttled(grantedAt: start, statedRate: nil, now: start)
        _ = rate.throttled(grantedAt: start + .seconds(1), statedRate: nil, now: start + .seconds(1))
        // 100 → 70 → 49: well below the 70 that drew the last 429, so a tenth of the gap a second.
        #expect(abs(rate.current - 49) < 1e-9)
        rate.succeeded(now: start + .seconds(1))
        rate.succeeded(now: start + .seconds(2))
        #expect(abs(rate.current - (49 + 21 * 0.1)) < 1e-9)
        // Back near 70 within half a minute, where it slows to probing.
        var now = start + .seconds(2)
        for _ in 0..<300 {
            now += .milliseconds(100)
            rate.succeeded(now: now)
        }
        #expect(rate.current > 63 && rate.current < 70)
    }

    /// Calls are granted all the time; the 429s of those let out within a second of the cut still answer
    /// the old rate's window, so a burst of them cuts once, and only a 429 a window later cuts again.
    @Test func aBurstOfThrottledCallsCutsOncePerWindow() {
        var rate = Rate(ceiling: 1_000)
        _ = rate.throttled(grantedAt: start, statedRate: nil, now: start)
        for index in 1...20 {
            let granted = start + .milliseconds(index * 10)
            let lowered = rate.throttled(grantedAt: granted, statedRate: nil, now: granted + .milliseconds(5))
            #expect(!lowered)
        }
        #expect(rate.current == 700)
        let later = start + .seconds(1)
        let lowered = rate.throttled(grantedAt: later, statedRate: nil, now: later + .milliseconds(5))
        #expect(lowered)
        #expect(abs(rate.current - 490) < 1e-9)
    }

    @Test func itNeverStopsAltogether() {
        var rate = Rate(ceiling: 10)
        var now = start
        for _ in 0..<100 {
            now += .seconds(1)
            _ = rate.throttled(grantedAt: now, statedRate: nil, now: now)
        }
        #expect(rate.current == Rate.floor)
    }
}

@Suite struct LimiterPriorityTests {
    @Test func creatorsWaitingGoBeforeTrackingPolls() async throws {
        // One call at a time, tokens plentiful: the order of the queue is the order of the grants.
        let limiter = OutgoingCallLimiter(configuration: .init(rate: 1_000_000, burst: 1000, concurrency: 1))
        let holder = try await limiter.acquire()
        let order = Order()
        var tasks: [Task<Void, any Error>] = []
        for index in 0..<3 {
            tasks.append(Task {
                let permit = try await limiter.acquire(priority: .background)
                order.append("poll\(index)")
                await limiter.release(permit, outcome: .succeeded)
            })
            await OutgoingCallLimiterTests.untilQueued(limiter, count: index + 1)
        }
        tasks.append(Task {
            let permit = try await limiter.acquire(priority: .normal)
            order.append("create")
            await limiter.release(permit, outcome: .succeeded)
        })
        await OutgoingCallLimiterTests.untilQueued(limiter, count: 4)
        await limiter.release(holder, outcome: .succeeded)
        for task in tasks { try await task.value }
        #expect(order.values == ["create", "poll0", "poll1", "poll2"])
    }

    @Test func aThrottledCallSlowsEveryCaller() async throws {
        let limiter = OutgoingCallLimiter(configuration: .init(rate: 100, burst: 20, concurrency: 4))
        let permit = try await limiter.acquire()
        await limiter.release(permit, outcome: .throttled(statedRate: 2))
        #expect(await limiter.currentRate == 2)
        // The bucket starts empty at the new pace: the next caller waits about half a second.
        let next = try await limiter.acquire()
        #expect(next.waited >= .milliseconds(400))
        await limiter.release(next, outcome: .succeeded)
    }
}

/// Names in the order they were appended, from any task.
final class Order: Sendable {
    private let state = Mutex<[String]>([])
    func append(_ name: String) { state.withLock { $0.append(name) } }
    var values: [String] { state.withLock { $0 } }
}
