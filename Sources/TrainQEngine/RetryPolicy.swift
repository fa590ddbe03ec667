import Foundation
import ModelArts

/// The one place that decides how long to wait before the next attempt and when to give up (DESIGN §3).
///
/// Backoff is "full jitter": `random(0, min(cap, base * 2^(n-1)))` after the n-th failed attempt, so that
/// many submissions failing together spread out instead of retrying in lockstep. The server's own hints
/// (`Retry-After`, the APIGW.0308 window) are floors. Quota and capacity errors use their own, much larger
/// base and cap.
public struct RetryPolicy: Sendable {
    /// `submit.max_attempts`, `submit.max_age`, `submit.base_delay`, `submit.max_delay`,
    /// `submit.slow_base_delay`, `submit.slow_max_delay`.
    public struct Configuration: Sendable, Hashable {
        public var maxAttempts: Int
        public var maxAge: Duration
        public var baseDelay: Duration
        public var maxDelay: Duration
        public var slowBaseDelay: Duration
        public var slowMaxDelay: Duration

        public init(
            maxAttempts: Int = 10,
            maxAge: Duration = .seconds(24 * 3600),
            baseDelay: Duration = .seconds(1),
            maxDelay: Duration = .seconds(300),
            slowBaseDelay: Duration = .seconds(300),
            slowMaxDelay: Duration = .seconds(3600)
        ) {
            self.maxAttempts = maxAttempts
            self.maxAge = maxAge
            self.baseDelay = baseDelay
            self.maxDelay = maxDelay
            self.slowBaseDelay = slowBaseDelay
            self.slowMaxDelay = slowMaxDelay
        }
    }

    /// Which part of the budget ran out.
    public enum BudgetLimit: Sendable, Hashable, CustomStringConvertible {
        /// `attempts` attempts were made, the most allowed.
        case attempts(Int)
        /// The next attempt would start after the budget's age limit.
        case age(Duration)

        public var description: String {
            switch self {
            case .attempts(let count): "attempt budget spent: \(count) attempts made"
            case .age(let limit): "age budget spent: no attempt may start more than \(limit.formattedSeconds) after the submission was queued"
            }
        }
    }

    public var configuration: Configuration
    public var random: RandomSource

    public init(configuration: Configuration = .init(), random: RandomSource = .system) {
        self.configuration = configuration
        self.random = random
    }

    /// The most the jitter may choose after the `attempt`-th failed attempt (1-based).
    public func ceiling(for errorClass: ErrorClass, afterAttempt attempt: Int) -> Duration {
        let (base, cap) = errorClass == .slow
            ? (configuration.slowBaseDelay, configuration.slowMaxDelay)
            : (configuration.baseDelay, configuration.maxDelay)
        guard base > .zero, cap > .zero else { return .zero }
        // Double until the cap is reached rather than computing 2^n, which could overflow.
        var ceiling = base
        var doublings = max(attempt - 1, 0)
        while doublings > 0, ceiling < cap {
            ceiling = ceiling * 2
            doublings -= 1
        }
        return min(ceiling, cap)
    }

    /// The wait before the next attempt, after the `attempt`-th one failed with `errorClass`.
    public func delay(for errorClass: ErrorClass, afterAttempt attempt: Int, hints: RetryHint = RetryHint()) -> Duration {
        let jittered = ceiling(for: errorClass, afterAttempt: attempt) * random.next()
        guard let floor = hints.minimumDelay else { return jittered }
        return max(jittered, floor)
    }

    /// The wait after a throttled attempt (a 429): the answer's own hint (`Retry-After`, the APIGW.0308
    /// window) as the floor, plus up to one base delay of jitter so throttled submissions do not come back
    /// together. The shared limiter, slowed by the same 429, paces them further.
    public func throttledDelay(hints: RetryHint = RetryHint()) -> Duration {
        let jittered = configuration.baseDelay * random.next()
        return (hints.minimumDelay ?? .zero) + jittered
    }

    /// The age part of the budget alone: throttling spends no attempts, so only `submit.max_age` bounds it.
    public func spentAge(budgetStartedAt: Date, nextAttemptAt: Date) -> BudgetLimit? {
        nextAttemptAt.timeIntervalSince(budgetStartedAt) > configuration.maxAge.timeInterval ? .age(configuration.maxAge) : nil
    }

    /// Whether another attempt may be made: `attemptsMade` attempts since the budget started at
    /// `budgetStartedAt`, the next one due at `nextAttemptAt`. Returns the limit that ran out, or `nil`.
    public func spentLimit(attemptsMade: Int, budgetStartedAt: Date, nextAttemptAt: Date) -> BudgetLimit? {
        if attemptsMade >= configuration.maxAttempts {
            return .attempts(attemptsMade)
        }
        if nextAttemptAt.timeIntervalSince(budgetStartedAt) > configuration.maxAge.timeInterval {
            return .age(configuration.maxAge)
        }
        return nil
    }
}

extension Duration {
    /// "1.5s", for messages.
    var formattedSeconds: String {
        let seconds = timeInterval
        if seconds == seconds.rounded() { return "\(Int64(seconds))s" }
        return String(format: "%.3fs", seconds)
    }
}
