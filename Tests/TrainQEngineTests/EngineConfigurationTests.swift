import Testing

@testable import TrainQEngine

@Suite struct EngineConfigurationTests {
    @Test func theDefaultsAreUsableAndDocumented() {
        let defaults = EngineConfiguration()
        #expect(defaults.problems().isEmpty)
        #expect(VersionTracker.Configuration().problems().isEmpty)
        #expect(defaults.concurrency == 4)
        #expect(defaults.rateLimit == 10)
        #expect(defaults.burst == 20)
        #expect(defaults.descMarker)
    }

    @Test func everyBadValueIsNamedByItsKey() {
        var configuration = EngineConfiguration()
        configuration.retry.maxAttempts = 0
        configuration.retry.maxDelay = .milliseconds(1)
        configuration.concurrency = 0
        configuration.rateLimit = .nan
        configuration.burst = 0
        configuration.reconcile.relistSchedule = RelistSchedule(waits: [])
        configuration.drainTimeout = .seconds(-1)
        let keys = configuration.problems().map(\.key)
        #expect(keys == [
            "submit.max_attempts", "submit.max_delay", "modelarts.concurrency", "modelarts.rate_limit", "modelarts.burst",
            "submit.reconcile_waits", "submit.drain_timeout",
        ])
    }

    @Test func trackingIntervalsMustBeOrdered() {
        let inverted = VersionTracker.Configuration(minInterval: .seconds(30), maxInterval: .seconds(10))
        #expect(inverted.problems().map(\.key) == ["track.max_interval"])
        let zero = VersionTracker.Configuration(minInterval: .zero, maxInterval: .seconds(10))
        #expect(zero.problems().map(\.key) == ["track.min_interval"])
    }
}
