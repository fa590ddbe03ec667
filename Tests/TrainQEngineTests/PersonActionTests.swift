import Foundation
import ModelArtsSimulator
import Testing
import TrainQAPI
import TrainQStore

@testable import TrainQEngine

/// Cancel, retry and resolve as the API calls them, on a real store and simulator.
@Suite struct PersonActionTests {
    @Test func cancelAQueuedSubmission() async throws {
        try await EngineHarness.with { harness in
            let engine = harness.makeEngine()
            let id = try await harness.submit()
            let view = try await engine.cancel(id: id)
            #expect(view.state == .canceled)
            // Nothing is sent for it afterwards.
            try await harness.running(engine) { engine in
                engine.submissionAccepted()
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(await harness.simulator.ledger().requests.create == 0)
        }
    }

    @Test func cancelWhileTrackingStopsTheVersionAndTheStateFollows() async throws {
        // At a tenth of real time a version runs for 12 s, so the stop comes while it runs.
        try await EngineHarness.with(simulator: .init(timeScale: 10)) { harness in
            let engine = harness.makeTrackingEngine()
            try await harness.runningTracked(engine) {
                let id = try await harness.submit()
                engine.submissionAccepted()
                try await harness.waitFor(id, in: [.tracking])
                let answer = try await engine.cancel(id: id)
                #expect(answer.state == .tracking)
                let stopped = try await harness.waitFor(id, in: [.stopped, .succeeded, .failed])
                #expect(stopped.state == .stopped)
                #expect(await harness.simulator.ledger().requests.stop == 1)
            }
        }
    }

    @Test func actionsAreRefusedWithAReasonElsewhere() async throws {
        try await EngineHarness.with { harness in
            try await harness.running(harness.makeEngine()) { engine in
                let id = try await harness.submit()
                engine.submissionAccepted()
                try await harness.waitFor(id, in: [.tracking, .succeeded])
                do {
                    _ = try await engine.cancel(id: "01NOSUCHSUBMISSION00000000")
                    Issue.record("canceling a missing submission succeeded")
                } catch let error as EngineError {
                    #expect(error.kind == .notFound)
                }
                do {
                    _ = try await engine.retry(id: id)
                    Issue.record("retrying a tracked submission succeeded")
                } catch let error as EngineError {
                    #expect(error.kind == .notAllowed)
                    #expect(error.message.contains("retry is not possible"))
                }
            }
        }
    }

    @Test func aRestartSendsEveryInterruptedAttemptToReconciliation() async throws {
        try await EngineHarness.with { harness in
            let first = try await harness.submit(jobID: 10)
            let second = try await harness.submit(jobID: 11)
            for id in [first, second] {
                _ = try await harness.store.transition(id: id, from: .queued, to: .submitting, attempt: .begin(at: Date()))
            }
            let engine = harness.makeEngine()
            #expect(try await engine.recoverInterruptedAttempts() == 2)
            #expect(try await engine.recoverInterruptedAttempts() == 0)
            for id in [first, second] {
                let view = try #require(try await harness.store.submission(id: id))
                #expect(view.state == .reconciling)
                #expect(view.reason == SubmissionStateMachine.restartReason)
                #expect(view.attempts.map(\.outcome) == ["interrupted"])
            }
            // With the services running, reconciliation finds no version and sends each once.
            _ = try await harness.running(engine) { _ in
                try await harness.waitForAll([first, second], in: [.tracking, .succeeded])
            }
            #expect(await harness.simulator.ledger().versions.count(where: { $0.jobID == 10 || $0.jobID == 11 }) == 2)
        }
    }

    @Test func retryGivesARejectedSubmissionAFreshBudget() async throws {
        let faults = [FaultRule(target: .create, kind: .error, status: 400, errorCode: "ModelArts.0104", count: 1)]
        try await EngineHarness.with(simulator: .init(timeScale: 60, scenario: .init(faults: faults))) { harness in
            try await harness.running(harness.makeEngine()) { engine in
                let id = try await harness.submit()
                engine.submissionAccepted()
                try await harness.waitFor(id, in: [.rejected])
                let queued = try await engine.retry(id: id)
                #expect(queued.state == .queued)
                let view = try await harness.waitFor(id, in: [.tracking, .succeeded])
                #expect(view.attempts.map(\.outcome) == ["permanent", "created"])
                #expect(try await harness.store.stored(id: id)?.attemptCount == 1)
            }
        }
    }

    @Test func resolveRequeueAndCancel() async throws {
        let faults = [FaultRule(target: .list, kind: .error, status: 403, errorCode: "ModelArts.0108", count: 2)]
        try await EngineHarness.with(simulator: .init(timeScale: 60, scenario: .init(faults: faults))) { harness in
            var ids: [String] = []
            for job in Int64(301)...302 {
                let id = try await harness.submit(jobID: job)
                try await harness.store.transition(id: id, from: .queued, to: .submitting, attempt: .begin(at: Date()))
                ids.append(id)
            }
            try await harness.running(harness.makeEngine()) { engine in
                _ = try await harness.waitForAll(ids, in: [.needsAttention])
                let requeued = try await engine.resolve(id: ids[0], ResolveRequest(action: .requeue))
                #expect(requeued.state == .retrying)
                try await harness.waitFor(ids[0], in: [.tracking, .succeeded])
                let canceled = try await engine.resolve(id: ids[1], ResolveRequest(action: .cancel))
                #expect(canceled.state == .canceled)
                do {
                    _ = try await engine.resolve(id: ids[1], ResolveRequest(action: .adopt))
                } catch let error as EngineError {
                    #expect(error.kind == .invalidVersion)
                }
            }
        }
    }

    @Test func adoptingAVersionThatDoesNotExistIsRefused() async throws {
        let faults = [FaultRule(target: .list, kind: .error, status: 403, errorCode: "ModelArts.0108", count: 1)]
        try await EngineHarness.with(simulator: .init(timeScale: 60, scenario: .init(faults: faults))) { harness in
            let id = try await harness.submit()
            try await harness.store.transition(id: id, from: .queued, to: .submitting, attempt: .begin(at: Date()))
            try await harness.running(harness.makeEngine()) { engine in
                try await harness.waitFor(id, in: [.needsAttention])
                do {
                    _ = try await engine.resolve(id: id, ResolveRequest(action: .adopt, versionID: 999_999))
                    Issue.record("adopting a missing version was accepted")
                } catch let error as EngineError {
                    #expect(error.kind == .invalidVersion)
                }
                #expect(try await harness.store.submission(id: id)?.state == .needsAttention)
            }
        }
    }

    /// The state decides before ModelArts is asked: adopting on a submission that is not waiting for a
    /// person is `not_allowed`, with no call made, whether or not the version exists.
    @Test func adoptingOnASubmissionNotWaitingForAPersonIsRefusedWithoutACall() async throws {
        try await EngineHarness.with { harness in
            let id = try await harness.submit()
            let engine = harness.makeEngine()
            for versionID in [Int64(20), 999_999] {
                do {
                    _ = try await engine.resolve(id: id, ResolveRequest(action: .adopt, versionID: versionID))
                    Issue.record("adopt on a queued submission was accepted")
                } catch let error as EngineError {
                    #expect(error.kind == .notAllowed, "\(error)")
                }
            }
            #expect(await harness.simulator.ledger().requests.show == 0)
            do {
                _ = try await engine.resolve(id: id, ResolveRequest(action: .adopt, versionID: -5))
                Issue.record("a negative version was accepted")
            } catch let error as EngineError {
                #expect(error.kind == .invalidVersion)
            }
        }
    }
}
