import Foundation
import ModelArts
import Testing
import TrainQAPI
import TrainQStore

@testable import TrainQEngine

/// The decider's rules for v2 jobs, where no document says which phases are final and jobs can be
/// restarted or preempted: a terminal phase must be read twice in a row.
@Suite struct TrainingJobDecisionTests {
    typealias Machine = SubmissionStateMachine
    let now = Date(timeIntervalSince1970: 2_000_000_000)
    let policy = RetryPolicy(configuration: .init(maxAttempts: 3, maxAge: .seconds(600)), random: .constant(0.5))
    let job = RemoteRun.trainingJob(CreatedTrainingJob(id: "6c1e3a8f-2b4d-4e7a-9f10-3d5b7c9e1a20", name: "run-0123456789abcdef"))

    func tracking(lastPhase: String?) -> Machine.Context {
        Machine.Context(attemptsInBudget: 1, budgetStartedAt: now, run: job, remoteStatusName: lastPhase)
    }

    func seen(_ phase: String, after lastPhase: String?) throws -> Machine.Decision {
        var machine = Machine(state: .tracking, policy: policy)
        let observation = Machine.RemoteObservation(status: RemoteRunStatus(TrainingJobPhase(phase)))
        return try machine.handle(.remoteStatusSeen(observation), context: tracking(lastPhase: lastPhase), now: now).get()
    }

    @Test func aTerminalPhaseReadOnceIsAStepAndReadTwiceEndsTheSubmission() throws {
        let first = try seen("Completed", after: "Running")
        #expect(first.next == nil)
        #expect(first.write?.expected == .tracking)
        #expect(first.write?.changes.remoteStatus == RemoteStatus(code: nil, name: "Completed", at: now))
        #expect(try seen("Completed", after: "Completed").next == .succeeded)
        #expect(try seen("Failed", after: "Failed").next == .failed)
        #expect(try seen("Abnormal", after: "Abnormal").next == .failed)
        #expect(try seen("Terminated", after: "Terminated").next == .stopped)
    }

    @Test func aJobThatRunsAgainAfterATerminalReadKeepsTracking() throws {
        #expect(try seen("Failed", after: "Running").next == nil)
        let again = try seen("Running", after: "Failed")
        #expect(again.next == nil)
        #expect(again.write?.changes.remoteStatus?.name == "Running")
        // A phase no document lists is a step, never an end.
        #expect(try seen("Hibernating", after: "Hibernating").next == nil)
        // A repeated running phase writes nothing.
        #expect(try seen("Running", after: "Running").write == nil)
    }

    @Test func aV1VersionNeedsOneRead() throws {
        var machine = Machine(state: .tracking, policy: policy)
        let context = Machine.Context(attemptsInBudget: 1, budgetStartedAt: now, run: .version(CreatedVersion(id: 21)), remoteStatusName: "JOBSTAT_RUNNING")
        let decision = try machine.handle(.remoteStatusSeen(.init(status: VersionStatus(code: 10))), context: context, now: now).get()
        #expect(decision.next == .succeeded)
    }

    @Test func aVanishedJobEndsInTheTerminalStateItWasLastSeenIn() throws {
        var machine = Machine(state: .tracking, policy: policy)
        let aged = try machine.handle(
            .runVanished(reason: "ModelArts no longer knows training job 6c1e3a8f", lastSeen: RemoteStatus(code: nil, name: "Completed")),
            context: tracking(lastPhase: "Completed"), now: now
        ).get()
        #expect(aged.next == .succeeded)
        #expect(aged.reason?.contains("it last read Completed") == true)
        machine = Machine(state: .tracking, policy: policy)
        let lost = try machine.handle(
            .runVanished(reason: "gone", lastSeen: RemoteStatus(code: nil, name: "Running")), context: tracking(lastPhase: "Running"), now: now
        ).get()
        #expect(lost.next == .failed)
    }

    @Test func cancelStopsTheJob() throws {
        var machine = Machine(state: .tracking, policy: policy)
        let decision = try machine.handle(.cancelRequested, context: tracking(lastPhase: "Running"), now: now).get()
        #expect(decision.actions == [.stopRun(job), .pollSoon])
    }
}
