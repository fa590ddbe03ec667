import ModelArts
import Testing
import TrainQAPI
@testable import TrainQEngine

@Suite struct TrackingPolicyTests {
    @Test func intervalGrowsWhileNothingChangesAndResetsOnAChange() {
        var schedule = TrackingSchedule(minInterval: .seconds(10), maxInterval: .seconds(120))
        var last = Duration.zero
        for _ in 0..<10 {
            let delay = schedule.polled(changed: false, jitter: 0)
            #expect(delay >= last)
            #expect(delay <= .seconds(120))
            last = delay
        }
        #expect(last == .seconds(120))
        #expect(schedule.polled(changed: true, jitter: 0) == .seconds(10))
    }

    @Test func jitterStaysWithinTenPercent() {
        var schedule = TrackingSchedule(minInterval: .seconds(10), maxInterval: .seconds(120))
        #expect(schedule.polled(changed: true, jitter: 1) == .seconds(11))
        #expect(schedule.polled(changed: true, jitter: -1) == .seconds(9))
    }

    @Test func oneListBeatsManyShows() {
        #expect(PollPlan.choose(dueVersions: 100, knownVersionCount: 100, pageSize: 1000) == .list(pages: 1))
        #expect(PollPlan.choose(dueVersions: 1, knownVersionCount: 100, pageSize: 1000) == .show(count: 1))
        // A job with 5,000 versions and 3 due: three shows cost fewer calls than five pages.
        #expect(PollPlan.choose(dueVersions: 3, knownVersionCount: 5000, pageSize: 1000) == .show(count: 3))
        #expect(PollPlan.choose(dueVersions: 10, knownVersionCount: 5000, pageSize: 1000) == .list(pages: 5))
    }

    @Test func terminalStatusesMapToTheirStates() {
        #expect(RemoteStatusMapping.terminalState(for: VersionStatus(code: 10)) == .succeeded)
        #expect(RemoteStatusMapping.terminalState(for: VersionStatus(code: 20)) == .succeeded)
        for code in [3, 5, 6, 11, 14, 16, 17, 21] {
            #expect(RemoteStatusMapping.terminalState(for: VersionStatus(code: code)) == .failed)
        }
        #expect(RemoteStatusMapping.terminalState(for: VersionStatus(code: 12)) == .stopped)
        #expect(RemoteStatusMapping.terminalState(for: VersionStatus(code: 13)) == .stopped)
        for code in [0, 1, 2, 4, 7, 8, 9, 15, 18, 19, 99] {
            #expect(RemoteStatusMapping.terminalState(for: VersionStatus(code: code)) == nil)
        }
    }
}
