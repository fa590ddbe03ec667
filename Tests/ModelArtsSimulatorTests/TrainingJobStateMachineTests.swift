import Testing
@testable import ModelArtsSimulator

@Suite struct TrainingJobStateMachineTests {
    typealias Machine = SimulatedTrainingJob.StateMachine
    let created: Int64 = 1_000_000

    func machine(_ outcome: TrainingJobOutcome, terminateAt: Int64? = nil, flapShownAt: Int64? = nil, timeScale: Double = 1) -> Machine {
        Machine(createTime: created, outcome: outcome, terminateRequestedAt: terminateAt, flapShownAt: flapShownAt, timeScale: timeScale)
    }

    /// The distinct (phase, secondary phase) pairs seen second by second over `seconds`.
    func path(of machine: Machine, seconds: Int64 = 400) -> [String] {
        var seen: [String] = []
        for second in stride(from: Int64(0), through: seconds, by: 1) {
            let snapshot = machine.snapshot(at: created + second * 1_000)
            let label = "\(snapshot.phase.rawValue)/\(snapshot.secondaryPhase)"
            if seen.last != label { seen.append(label) }
        }
        return seen
    }

    @Test func aNormalJobGoesCreatingPendingRunningCompleted() {
        let job = machine(.completed)
        #expect(path(of: job) == ["Creating/Creating", "Pending/Queuing", "Running/Running", "Completed/Completed"])
        #expect(job.snapshot(at: created + 4_999).phase == .creating)
        #expect(job.snapshot(at: created + 5_000).phase == .pending)
        #expect(job.snapshot(at: created + 15_000).phase == .running)
        #expect(job.snapshot(at: created + 104_999).phase == .running)
        #expect(job.snapshot(at: created + 105_000).phase == .completed)
        #expect(job.snapshot(at: created + 105_000).isTerminal)
    }

    @Test func startTimeAndDurationFollowTheRun() {
        let job = machine(.completed)
        #expect(job.snapshot(at: created + 10_000).startTime == nil)
        #expect(job.snapshot(at: created + 10_000).duration == 0)
        #expect(job.snapshot(at: created + 25_000).startTime == created + 15_000)
        #expect(job.snapshot(at: created + 25_000).duration == 10_000)
        #expect(job.snapshot(at: created + 900_000).duration == 90_000)
    }

    @Test(arguments: [
        (TrainingJobOutcome.failed, ["Creating/Creating", "Pending/Queuing", "Running/Running", "Failed/Failed"]),
        (.abnormal, ["Creating/Creating", "Abnormal/CreateFailed"]),
        (.restarted, ["Creating/Creating", "Pending/Queuing", "Running/Running", "Pending/Queuing", "Running/Running", "Completed/Completed"]),
        (.pendingForever, ["Creating/Creating", "Pending/Queuing"]),
    ])
    func scriptedOutcomesFollowTheirPath(outcome: TrainingJobOutcome, expected: [String]) {
        #expect(path(of: machine(outcome)) == expected)
    }

    @Test func aRestartedJobCountsOnlyItsRunningTime() {
        let job = machine(.restarted)
        // 30 s run, 10 s back in the queue, 60 s run.
        let done = job.snapshot(at: created + 500_000)
        #expect(done.phase == .completed)
        #expect(done.duration == 90_000)
        #expect(done.startTime == created + 15_000)
        #expect(job.snapshot(at: created + 50_000).duration == 30_000)
    }

    @Test func aFlapShowsFailedUntilReadThenRunsAgainThenCompletes() {
        let unread = machine(.flap)
        let falseFailure = unread.snapshot(at: created + 60_000)
        #expect(falseFailure.phase == .failed)
        #expect(falseFailure.isFlap)
        #expect(!falseFailure.isTerminal)
        // It keeps showing Failed until somebody has seen it once.
        #expect(unread.snapshot(at: created + 300_000).phase == .failed)

        let shownAt = created + 70_000
        let read = machine(.flap, flapShownAt: shownAt)
        #expect(read.snapshot(at: created + 59_999).phase == .running)
        #expect(read.snapshot(at: shownAt + 1).phase == .running)
        #expect(read.snapshot(at: shownAt + 44_999).phase == .running)
        let completed = read.snapshot(at: shownAt + 45_000)
        #expect(completed.phase == .completed)
        #expect(completed.isTerminal)
        #expect(completed.duration == 45_000 + 10_000 + 45_000)
    }

    @Test func terminateWhileRunningGoesThroughTerminatingToTerminated() {
        let stopAt = created + 50_000
        let job = machine(.completed, terminateAt: stopAt)
        #expect(job.snapshot(at: stopAt - 1).phase == .running)
        #expect(job.snapshot(at: stopAt).phase == .terminating)
        #expect(job.snapshot(at: stopAt).secondaryPhase == "Terminating")
        #expect(job.snapshot(at: stopAt + 4_999).phase == .terminating)
        let terminated = job.snapshot(at: stopAt + 5_000)
        #expect(terminated.phase == .terminated)
        #expect(terminated.isTerminal)
        #expect(terminated.duration == 40_000)
        #expect(job.snapshot(at: stopAt + 900_000).duration == 40_000)
    }

    @Test func terminateBeforeRunningNeverStarts() {
        let job = machine(.pendingForever, terminateAt: created + 8_000)
        let terminated = job.snapshot(at: created + 20_000)
        #expect(terminated.phase == .terminated)
        #expect(terminated.startTime == nil)
        #expect(terminated.duration == 0)
    }

    @Test func terminateAfterTheEndChangesNothing() {
        let job = machine(.failed, terminateAt: created + 200_000)
        #expect(job.snapshot(at: created + 300_000).phase == .failed)
    }

    @Test func timeScaleShortensEveryPhase() {
        let job = machine(.completed, timeScale: 100)
        #expect(job.snapshot(at: created + 149).phase == .pending)
        #expect(job.snapshot(at: created + 150).phase == .running)
        #expect(job.snapshot(at: created + 1_050).phase == .completed)
    }
}
