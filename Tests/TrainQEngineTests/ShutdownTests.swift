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
        let faults = [FaultRule(target: .create, kind: .delay, delayMilliseconds: 1500, count: 1)]
        var configuration = EngineHarness.fastConfiguration()
        configuration.drainTimeout = .milliseconds(200)
        try await EngineHarness.with(simulator: .init(timeScale: 60, scenario: .init(faults: faults)), configuration: configuration) { harness in
            let id = try await harness.submit()
            let queuedMeanwhile = try await harness.submit(jobID: 11)
            try await harness.running(harness.makeEngine()) { engine in
                engine.submissionAccepted()
                try await harness.waitFor(id, in: [.submitting])
                try await harness.waitFor(queuedMeanwhile, in: [.tracking])
            }
            #expect(try await harness.store.submission(id: id)?.state == .submitting)
            // The simulator finishes the create on its own; the next start must find it, not send again.
            try await Task.sleep(for: .milliseconds(1500))
            try await harness.running(harness.makeEngine()) { _ in
                let view = try await harness.waitFor(id, in: [.tracking, .succeeded])
                let ledger = await harness.ledgerVersions()
                #expect(ledger.count == 1)
                #expect(view.versionID == ledger.first?.versionId)
                #expect(await harness.simulator.ledger().requests.create == 2)
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
