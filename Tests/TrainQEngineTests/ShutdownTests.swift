import Foundation
import ModelArtsSimulator
import Testing
import TrainQAPI
import TrainQStore

@testable import TrainQEngine

/// Graceful shutdown: nothing new starts; what is on the wire finishes within the drain or is left to the
/// next start's reconciliation.
@Suite struct ShutdownTests {
    @Test func anAttemptOnTheWireFinishesWithinTheDrain() async throws {
        let faults = [FaultRule(target: .create, kind: .delay, delayMilliseconds: 400, count: 1)]
        try await EngineHarness.with(simulator: .init(timeScale: 60, scenario: .init(faults: faults))) { harness in
            let id = try await harness.submit()
            try await harness.running(harness.makeEngine()) { engine in
                engine.submissionAccepted()
                try await harness.waitFor(id, in: [.submitting])
            }
            // The drain (2 s) outlasts the slow create: the outcome is written before the service ends.
            #expect(try await harness.store.submission(id: id)?.state == .tracking)
        }
    }

    @Test func anAttemptPastTheDrainIsReconciledAtTheNextStart() async throws {
        let faults = [FaultRule(target: .create, kind: .delay, delayMilliseconds: 3000, count: 1)]
        var configuration = EngineHarness.fastConfiguration()
        configuration.drainTimeout = .milliseconds(200)
        try await EngineHarness.with(simulator: .init(timeScale: 60, scenario: .init(faults: faults)), configuration: configuration) { harness in
            let id = try await harness.submit()
            try await harness.running(harness.makeEngine()) { engine in
                engine.submissionAccepted()
                try await harness.waitFor(id, in: [.submitting])
                // Shut down only once the create reached the simulator (which then takes 3 s).
                for _ in 0..<100 where await harness.simulator.ledger().requests.create == 0 {
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            let abandoned = try await harness.store.submission(id: id)
            #expect(abandoned?.state == .submitting, "abandoned attempt is \(abandoned?.state.rawValue ?? "missing")")
            // The simulator finishes the create on its own; the next start must find it, not send again.
            for _ in 0..<100 where await harness.ledgerVersions().isEmpty {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(await harness.ledgerVersions().count == 1)
            try await harness.running(harness.makeEngine()) { _ in
                let view = try await harness.waitFor(id, in: [.tracking, .succeeded])
                let ledger = await harness.ledgerVersions()
                #expect(ledger.count == 1)
                #expect(view.versionID == ledger.first?.versionID)
                #expect(await harness.simulator.ledger().requests.create == 1)
            }
        }
    }

    @Test func noNewAttemptStartsAfterShutdown() async throws {
        try await EngineHarness.with { harness in
            let engine = harness.makeEngine()
            try await harness.running(engine) { _ in }
            let id = try await harness.submit()
            engine.submissionAccepted()
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await harness.store.submission(id: id)?.state == .queued)
            #expect(await harness.simulator.ledger().requests.create == 0)
        }
    }
}
