import Foundation
import ModelArtsSimulator
import Testing
import TrainQAPI

@testable import TrainQEngine

/// Token errors end to end: refreshed and retried once with IAM tokens; final with AK/SK, where there is
/// nothing to refresh.
@Suite struct AuthenticationTests {
    @Test func aStaleTokenIsRefreshedAndTheCreateRetriedOnce() async throws {
        let faults = [FaultRule(target: .create, kind: .error, status: 401, errorCode: "APIGW.0307", count: 1)]
        try await EngineHarness.with(
            simulator: .init(timeScale: 60, scenario: .init(faults: faults)), authentication: .token
        ) { harness in
            try await harness.running(harness.makeEngine()) { engine in
                let id = try await harness.submit()
                engine.submissionAccepted()
                let view = try await harness.waitFor(id, in: [.tracking, .succeeded])
                #expect(view.attempts.map(\.outcome) == ["created"])
                let ledger = await harness.simulator.ledger()
                #expect(ledger.requests.create == 2)
                #expect(ledger.requests.token == 2)
                #expect(ledger.versions.count == 1)
            }
        }
    }

    @Test func aTokenErrorWithAccessKeysIsFinal() async throws {
        let faults = [FaultRule(target: .create, kind: .error, status: 401, errorCode: "APIGW.0307")]
        try await EngineHarness.with(simulator: .init(timeScale: 60, scenario: .init(faults: faults))) { harness in
            try await harness.running(harness.makeEngine()) { engine in
                let id = try await harness.submit()
                engine.submissionAccepted()
                let view = try await harness.waitFor(id, in: [.rejected])
                #expect(view.attempts.count == 1)
                #expect(view.attempts.first?.errorCode == "APIGW.0307")
                #expect(await harness.simulator.ledger().requests.create == 1)
            }
        }
    }
}
