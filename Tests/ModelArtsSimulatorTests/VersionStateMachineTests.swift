import Testing
@testable import ModelArtsSimulator

@Suite struct VersionStateMachineTests {
    typealias Machine = SimulatedVersion.StateMachine
    let created: Int64 = 1_000_000

    @Test func normalVersionRunsThroughInitSubmitWaitRunToCompletedInTwoMinutes() {
        let machine = Machine(createTime: created, outcome: 10, stopRequestedAt: nil, timeScale: 1)
        let seconds = { (s: Int64) in machine.snapshot(at: created + s * 1_000) }
        #expect(seconds(0).status == 1)
        #expect(seconds(6).status == 4)
        #expect(seconds(16).status == 7)
        #expect(seconds(31).status == 8)
        #expect(seconds(119).status == 8)
        #expect(seconds(120).status == 10)
        #expect(seconds(120).isTerminal)
        #expect(!seconds(119).isTerminal)
    }

    @Test func startTimeIsSetOnEnteringRunningAndDurationFreezesAtTheEnd() {
        let machine = Machine(createTime: created, outcome: 10, stopRequestedAt: nil, timeScale: 1)
        #expect(machine.snapshot(at: created + 29_000).startTime == nil)
        #expect(machine.snapshot(at: created + 29_000).duration == 0)
        let running = machine.snapshot(at: created + 40_000)
        #expect(running.startTime == created + 30_000)
        #expect(running.duration == 10_000)
        #expect(machine.snapshot(at: created + 50_000).duration == 20_000)
        #expect(machine.snapshot(at: created + 500_000).duration == 90_000)
        #expect(machine.snapshot(at: created + 900_000).duration == 90_000)
    }

    @Test func timeScaleSixtyFinishesInTwoSeconds() {
        let machine = Machine(createTime: created, outcome: 10, stopRequestedAt: nil, timeScale: 60)
        #expect(machine.snapshot(at: created + 1_900).status == 8)
        #expect(machine.snapshot(at: created + 2_000).status == 10)
    }

    @Test(arguments: [(11, [1, 4, 7, 8, 11]), (3, [1, 2, 3]), (5, [1, 4, 5]), (14, [1, 4, 7, 8, 14]), (13, [1, 4, 7, 13])])
    func scriptedOutcomesFollowTheirPath(outcome: Int, path: [Int]) {
        let machine = Machine(createTime: created, outcome: outcome, stopRequestedAt: nil, timeScale: 1)
        var seen: [Int] = []
        for second in stride(from: Int64(0), through: 200, by: 1) {
            let status = machine.snapshot(at: created + second * 1_000).status
            if seen.last != status { seen.append(status) }
        }
        #expect(seen == path)
    }

    @Test func stopWhileRunningGoesThroughKillingToKilled() {
        let stopAt = created + 60_000
        let machine = Machine(createTime: created, outcome: 10, stopRequestedAt: stopAt, timeScale: 1)
        #expect(machine.snapshot(at: stopAt - 1).status == 8)
        #expect(machine.snapshot(at: stopAt).status == 9)
        #expect(machine.snapshot(at: stopAt + 4_999).status == 9)
        let killed = machine.snapshot(at: stopAt + 5_000)
        #expect(killed.status == 12)
        #expect(killed.isTerminal)
        #expect(killed.duration == 35_000)
        #expect(machine.snapshot(at: stopAt + 500_000).duration == 35_000)
    }

    @Test func stopBeforeRunningEndsCanceled() {
        let stopAt = created + 10_000
        let machine = Machine(createTime: created, outcome: 10, stopRequestedAt: stopAt, timeScale: 1)
        #expect(machine.snapshot(at: stopAt + 1).status == 9)
        #expect(machine.snapshot(at: stopAt + 5_000).status == 13)
        #expect(machine.snapshot(at: stopAt + 5_000).startTime == nil)
    }

    @Test func stopAfterTheEndChangesNothing() {
        let machine = Machine(createTime: created, outcome: 11, stopRequestedAt: created + 200_000, timeScale: 1)
        #expect(machine.snapshot(at: created + 300_000).status == 11)
    }

    @Test func versionNamesArePaddedToFourDigits() {
        #expect(SimulatedCloud.versionName(1) == "V0001")
        #expect(SimulatedCloud.versionName(42) == "V0042")
        #expect(SimulatedCloud.versionName(12345) == "V12345")
    }
}
