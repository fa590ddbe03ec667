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
        #expect(PollPlan.choose(dueVersions: 100, trackedVersions: 100, knownVersionCount: 100, pageSize: 1000) == .list(pages: 1))
        // One version alone: a show gives its exact detail for the same single call.
        #expect(PollPlan.choose(dueVersions: 1, trackedVersions: 1, knownVersionCount: 100, pageSize: 1000) == .show(count: 1))
        // One due among several tracked: the list costs the same one call and refreshes the others too.
        #expect(PollPlan.choose(dueVersions: 1, trackedVersions: 5, knownVersionCount: 100, pageSize: 1000) == .list(pages: 1))
        // A job with 5,000 versions and 3 due: three shows cost fewer calls than five pages.
        #expect(PollPlan.choose(dueVersions: 3, trackedVersions: 10, knownVersionCount: 5000, pageSize: 1000) == .show(count: 3))
        #expect(PollPlan.choose(dueVersions: 10, trackedVersions: 10, knownVersionCount: 5000, pageSize: 1000) == .list(pages: 5))
        // Before the first list the count is unknown: one page is assumed, and that list tells.
        #expect(PollPlan.choose(dueVersions: 2, trackedVersions: 2, knownVersionCount: nil, pageSize: 1000) == .list(pages: 1))
        #expect(PollPlan.choose(dueVersions: 0, trackedVersions: 4, knownVersionCount: 10, pageSize: 1000) == .show(count: 0))
    }

    @Test func aFailedPollWaitsAtLeastWhatTheAnswerAsks() {
        var schedule = TrackingSchedule(minInterval: .milliseconds(100), maxInterval: .seconds(1))
        #expect(schedule.failed(floor: .seconds(5), jitter: 0) == .seconds(5))
        #expect(schedule.failed(floor: nil, jitter: 0) == .milliseconds(225))
    }

    @Test func v2JobsOfAProjectAreSearchedWhenOnePageHoldsThemAndSearchWorks() {
        func plan(due: Int, tracked: Int, active: Int64?, works: Bool = true) -> TrainingJobPollPlan {
            TrainingJobPollPlan.choose(dueJobs: due, trackedJobs: tracked, knownActiveCount: active, pageLimit: 50, searchWorks: works)
        }
        #expect(plan(due: 1, tracked: 1, active: nil) == .show)
        #expect(plan(due: 1, tracked: 2, active: nil) == .search)
        #expect(plan(due: 5, tracked: 5, active: 50) == .search)
        #expect(plan(due: 5, tracked: 5, active: 51) == .show)
        #expect(plan(due: 5, tracked: 5, active: 3, works: false) == .show)
        #expect(plan(due: 0, tracked: 5, active: 3) == .show)
    }

    @Test func onlyTheVersionsOwn404EndsTracking() {
        let gone = ModelArtsError.http(
            operation: .showVersion, status: 404, errorCode: "ModelArts.0015", message: "The version does not exist.", requestID: nil)
        guard case .versionGone(let reason) = PollFailure.decide(gone, what: "version 21") else {
            Issue.record("a 404 for the version must end tracking")
            return
        }
        #expect(reason.contains("version 21"))
        let noSuchAPI = ModelArtsError.http(operation: .showVersion, status: 404, errorCode: "APIGW.0101", message: "no API", requestID: nil)
        #expect(PollFailure.decide(noSuchAPI, what: "version 21") == .retryLater(floor: nil, isPermanent: true))
        let busy = ModelArtsError.http(operation: .showVersion, status: 503, errorCode: "ModelArts.4700", message: "busy", requestID: nil)
        #expect(PollFailure.decide(busy, what: "version 21") == .retryLater(floor: nil, isPermanent: false))
        let listGone = ModelArtsError.http(operation: .listVersions, status: 404, errorCode: "ModelArts.0015", message: "no job", requestID: nil)
        if case .versionGone = PollFailure.decide(listGone, what: "version 0") {
            Issue.record("a list's 404 says nothing about one version")
        }
    }

    @Test func terminalStatusesMapToTheirStates() {
        #expect(RemoteStatusMapping.terminalState(for: RemoteRunStatus(VersionStatus(code: 10))) == .succeeded)
        #expect(RemoteStatusMapping.terminalState(for: RemoteRunStatus(VersionStatus(code: 20))) == .succeeded)
        for code in [3, 5, 6, 11, 14, 16, 17, 21] {
            #expect(RemoteStatusMapping.terminalState(for: RemoteRunStatus(VersionStatus(code: code))) == .failed)
        }
        #expect(RemoteStatusMapping.terminalState(for: RemoteRunStatus(VersionStatus(code: 12))) == .stopped)
        #expect(RemoteStatusMapping.terminalState(for: RemoteRunStatus(VersionStatus(code: 13))) == .stopped)
        for code in [0, 1, 2, 4, 7, 8, 9, 15, 18, 19, 99] {
            #expect(RemoteStatusMapping.terminalState(for: RemoteRunStatus(VersionStatus(code: code))) == nil)
        }
    }
}
