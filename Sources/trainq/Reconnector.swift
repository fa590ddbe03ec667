import Foundation

/// Rides a client through a restart of trainqd: a call that fails because the daemon went away
/// (`CLIError.isReconnectable`) is tried again with `ReconnectPolicy`'s backoff until it works or the
/// outage outlasts the timeout. One line on stderr when an outage begins and one when it ends, never one
/// per try. The callers keep their own place (the last event seq) so a repeat misses and repeats nothing.
final class Reconnector {
    let policy: ReconnectPolicy
    let socketPath: String
    private let clock = ContinuousClock()
    /// When the current outage began; nil while trainqd answers.
    private var outageStart: ContinuousClock.Instant?
    private var failures = 0

    init(policy: ReconnectPolicy, socketPath: String) {
        self.policy = policy
        self.socketPath = socketPath
    }

    /// Whether an outage is going on (the last call failed and none has worked since).
    var isReconnecting: Bool { outageStart != nil }

    /// Runs `call` until it returns or fails in a way a retry cannot help.
    func attempt<Value>(_ call: () async throws -> Value) async throws -> Value {
        while true {
            do {
                let value = try await call()
                connected()
                return value
            } catch let error as CLIError where error.isReconnectable {
                try await failed(error)
            }
        }
    }

    /// trainqd answered: ends an outage, if there was one.
    func connected() {
        guard let outageStart else { return }
        report("trainqd is back after \(DurationText.format(clock.now - outageStart)); resuming")
        self.outageStart = nil
        failures = 0
    }

    /// A call failed with `error` (reconnectable): waits before the next try, or throws once the outage
    /// has lasted longer than the policy allows.
    func failed(_ error: CLIError) async throws {
        let now = clock.now
        if outageStart == nil {
            outageStart = now
            let limit = policy.timeout.map { "for up to \(DurationText.format($0))" } ?? "until it is back"
            report("trainqd at \(socketPath) is not answering (restarting?); reconnecting \(limit)… (\(error.message))")
        }
        let elapsed = now - (outageStart ?? now)
        guard policy.allowsRetry(after: elapsed) else {
            let limit = policy.timeout.map(DurationText.format) ?? "?"
            throw CLIError(
                .daemonUnavailable,
                "trainqd at \(socketPath) did not come back within \(limit) (--reconnect-timeout); "
                    + "gave up after trying for \(DurationText.format(elapsed)): \(error.message)"
            )
        }
        let pause = policy.pause(afterFailures: failures, elapsed: elapsed, unitRandom: Double.random(in: 0..<1))
        failures += 1
        try await Task.sleep(for: pause)
    }

    private func report(_ line: String) {
        FileHandle.standardError.write(Data("trainq: \(line)\n".utf8))
    }
}
