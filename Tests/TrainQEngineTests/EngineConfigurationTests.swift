import Testing

@testable import TrainQEngine

@Suite struct EngineConfigurationTests {
    @Test func theDefaultsAreUsableAndDocumented() {
        let defaults = EngineConfiguration()
        #expect(defaults.problems().isEmpty)
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
        let problems = configuration.problems()
        for key in ["submit.max_attempts", "submit.max_delay", "modelarts.concurrency", "modelarts.rate_limit", "modelarts.burst"] {
            #expect(problems.contains { $0.hasPrefix(key + ":") }, "\(key) not reported")
        }
        #expect(problems.count == 5)
    }
}
