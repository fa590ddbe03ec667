import Testing

@testable import trainq

/// The backoff of `ReconnectPolicy`: full jitter under a doubling ceiling with a cap, and a timeout that
/// cuts the last pause short instead of skipping the last try.
@Suite struct ReconnectPolicyTests {
    let policy = ReconnectPolicy(initialDelay: .milliseconds(100), maxDelay: .seconds(2), timeout: .seconds(5))

    @Test func theCeilingDoublesFrom100msUpToTheCap() {
        let ceilings = (0..<8).map { policy.delay(afterFailures: $0, unitRandom: 1) }
        #expect(ceilings == [100, 200, 400, 800, 1600, 2000, 2000, 2000].map { Duration.milliseconds($0) })
        // Far past the cap, and for nonsense counts, it stays bounded (no overflow).
        #expect(policy.delay(afterFailures: 10_000, unitRandom: 1) == .seconds(2))
        #expect(policy.delay(afterFailures: -3, unitRandom: 1) == .milliseconds(100))
    }

    @Test func fullJitterIsAUniformShareOfTheCeiling() {
        #expect(policy.delay(afterFailures: 3, unitRandom: 0) == .zero)
        #expect(policy.delay(afterFailures: 3, unitRandom: 0.5) == .milliseconds(400))
        #expect(policy.delay(afterFailures: 6, unitRandom: 0.25) == .milliseconds(500))
        // Out-of-range randoms are clamped, never beyond the ceiling.
        #expect(policy.delay(afterFailures: 0, unitRandom: 7) == .milliseconds(100))
        for failures in 0..<20 {
            let pause = policy.delay(afterFailures: failures, unitRandom: Double.random(in: 0..<1))
            #expect(pause >= .zero && pause <= .seconds(2))
        }
    }

    @Test func theTimeoutEndsRetryingAndShortensTheLastPause() {
        #expect(policy.allowsRetry(after: .milliseconds(4999)))
        #expect(!policy.allowsRetry(after: .seconds(5)))
        #expect(policy.pause(afterFailures: 10, elapsed: .milliseconds(4500), unitRandom: 1) == .milliseconds(500))
        #expect(policy.pause(afterFailures: 10, elapsed: .seconds(1), unitRandom: 1) == .seconds(2))
        let forever = ReconnectPolicy(timeout: nil)
        #expect(forever.allowsRetry(after: .seconds(86_400 * 365)))
        #expect(forever.pause(afterFailures: 10, elapsed: .seconds(86_400), unitRandom: 1) == .seconds(2))
    }

    @Test func durationsReadAndPrintAsPeopleWriteThem() throws {
        #expect(try DurationText.parse("5m") == .seconds(300))
        #expect(try DurationText.parse("2s") == .seconds(2))
        #expect(try DurationText.parse("300ms") == .milliseconds(300))
        #expect(try DurationText.parse("1h30m") == .seconds(5400))
        #expect(try DurationText.parse("0") == .zero)
        #expect(try DurationText.parse("1.5") == .milliseconds(1500))
        for bad in ["", "5x", "-2s", "inf", "s", "1e300"] {
            #expect(throws: DurationText.Invalid.self) { try DurationText.parse(bad) }
        }
        #expect(DurationText.format(.seconds(300)) == "5m0s")
        #expect(DurationText.format(.seconds(2)) == "2s")
        #expect(DurationText.format(.milliseconds(2140)) == "2.1s")
        #expect(DurationText.format(.milliseconds(300)) == "300ms")
        #expect(DurationText.format(.seconds(3725)) == "1h2m5s")
    }
}
