import Foundation
import ModelArts
import Testing

@testable import TrainQEngine

@Suite struct RetryPolicyTests {
    let configuration = RetryPolicy.Configuration(
        maxAttempts: 5, maxAge: .seconds(3600), baseDelay: .seconds(1), maxDelay: .seconds(60),
        slowBaseDelay: .seconds(300), slowMaxDelay: .seconds(3600)
    )

    @Test func ceilingDoublesFromBaseUpToCap() {
        let policy = RetryPolicy(configuration: configuration, random: .constant(1))
        let ceilings = (1...9).map { policy.ceiling(for: .transient, afterAttempt: $0) }
        #expect(ceilings == [1, 2, 4, 8, 16, 32, 60, 60, 60].map { Duration.seconds($0) })
    }

    @Test func slowClassUsesItsOwnBaseAndCap() {
        let policy = RetryPolicy(configuration: configuration, random: .constant(1))
        #expect(policy.ceiling(for: .slow, afterAttempt: 1) == .seconds(300))
        #expect(policy.ceiling(for: .slow, afterAttempt: 2) == .seconds(600))
        #expect(policy.ceiling(for: .slow, afterAttempt: 10) == .seconds(3600))
    }

    @Test func hugeAttemptNumbersStayAtTheCap() {
        let policy = RetryPolicy(configuration: configuration, random: .constant(1))
        #expect(policy.ceiling(for: .transient, afterAttempt: Int.max) == .seconds(60))
        #expect(policy.ceiling(for: .transient, afterAttempt: 0) == .seconds(1))
        #expect(policy.ceiling(for: .transient, afterAttempt: -3) == .seconds(1))
    }

    @Test func delayIsTheRandomFractionOfTheCeiling() {
        let half = RetryPolicy(configuration: configuration, random: .constant(0.5))
        #expect(half.delay(for: .transient, afterAttempt: 3) == .seconds(2))
        let zero = RetryPolicy(configuration: configuration, random: .constant(0))
        #expect(zero.delay(for: .transient, afterAttempt: 7) == .zero)
    }

    @Test func randomValuesOutsideTheUnitIntervalAreClamped() {
        let above = RetryPolicy(configuration: configuration, random: .constant(7))
        #expect(above.delay(for: .transient, afterAttempt: 2) == .seconds(2))
        let notANumber = RetryPolicy(configuration: configuration, random: .constant(.nan))
        #expect(notANumber.delay(for: .transient, afterAttempt: 2) == .zero)
    }

    @Test func systemJitterStaysInBoundsAndSpreads() {
        let policy = RetryPolicy(configuration: configuration, random: .system)
        let delays = (0..<500).map { _ in policy.delay(for: .transient, afterAttempt: 4) }
        #expect(delays.allSatisfy { $0 >= .zero && $0 <= .seconds(8) })
        // Full jitter covers the whole range, not one point: both halves are hit.
        #expect(delays.contains { $0 < .seconds(4) })
        #expect(delays.contains { $0 > .seconds(4) })
        #expect(Set(delays).count > 400)
    }

    @Test func retryAfterIsAFloor() {
        let policy = RetryPolicy(configuration: configuration, random: .constant(0.1))
        let hints = RetryHint(retryAfter: .seconds(7))
        #expect(policy.delay(for: .transient, afterAttempt: 1, hints: hints) == .seconds(7))
        // A longer backoff is kept.
        let long = RetryPolicy(configuration: configuration, random: .constant(1))
        #expect(long.delay(for: .transient, afterAttempt: 5, hints: hints) == .seconds(16))
    }

    @Test func throttleWindowIsAFloorAndTheLongerHintWins() {
        let policy = RetryPolicy(configuration: configuration, random: .constant(0))
        #expect(policy.delay(for: .transient, afterAttempt: 1, hints: .init(throttleWindow: .seconds(60))) == .seconds(60))
        let both = RetryHint(retryAfter: .seconds(3), throttleWindow: .seconds(1))
        #expect(policy.delay(for: .transient, afterAttempt: 1, hints: both) == .seconds(3))
    }

    @Test func attemptBudgetRunsOut() {
        let policy = RetryPolicy(configuration: configuration)
        let start = Date(timeIntervalSince1970: 1_000_000)
        #expect(policy.spentLimit(attemptsMade: 4, budgetStartedAt: start, nextAttemptAt: start) == nil)
        #expect(policy.spentLimit(attemptsMade: 5, budgetStartedAt: start, nextAttemptAt: start) == .attempts(5))
    }

    @Test func ageBudgetRunsOut() {
        let policy = RetryPolicy(configuration: configuration)
        let start = Date(timeIntervalSince1970: 1_000_000)
        #expect(policy.spentLimit(attemptsMade: 1, budgetStartedAt: start, nextAttemptAt: start.addingTimeInterval(3600)) == nil)
        #expect(
            policy.spentLimit(attemptsMade: 1, budgetStartedAt: start, nextAttemptAt: start.addingTimeInterval(3601))
                == .age(.seconds(3600))
        )
    }

    @Test func defaultsAreTheDocumentedOnes() {
        let defaults = RetryPolicy.Configuration()
        #expect(defaults.maxAttempts == 10)
        #expect(defaults.maxAge == .seconds(86_400))
        #expect(defaults.baseDelay == .seconds(1))
        #expect(defaults.maxDelay == .seconds(300))
        #expect(defaults.slowBaseDelay == .seconds(300))
        #expect(defaults.slowMaxDelay == .seconds(3600))
    }

    @Test func cyclingSourceRepeats() {
        let source = RandomSource.cycling([0.25, 0.75])
        #expect([source.next(), source.next(), source.next()] == [0.25, 0.75, 0.25])
    }
}
