import Foundation
import ModelArts
import Testing

@testable import TrainQEngine

@Suite struct VersionMatcherTests {
    let start = Date(timeIntervalSince1970: 1_700_000_000)
    let matcher = VersionMatcher(clockSkewMargin: .seconds(60))
    let marker = DescMarker.tag(for: "01JD9Z4K8Q3W")

    func attempt(marker: String? = nil, excluding: Set<Int64> = []) -> VersionMatcher.Attempt {
        .init(startedAt: start, marker: marker, excludedVersionIDs: excluding)
    }

    func listed(
        _ id: Int64, createdAfterStart seconds: TimeInterval = 1, desc: String? = nil, conflicts: [String] = []
    ) -> VersionMatcher.Listed {
        .init(
            versionID: id, versionName: String(format: "V%04d", id), createTime: start.addingTimeInterval(seconds),
            status: 1, jobDesc: desc, conflicts: conflicts
        )
    }

    @Test func markerMatchIsExactEvenAmongLookalikes() {
        let versions = [
            listed(21, desc: "nightly"), listed(22, desc: "nightly\(marker)"), listed(23, desc: "nightly [trainq:OTHER]"),
        ]
        #expect(matcher.match(attempt(marker: marker), in: versions) == .match(versions[1]))
    }

    @Test func markerShownAbsentMeansNotOurs() {
        // Created in time and without conflicts, but the description is shown and lacks the marker.
        let versions = [listed(21, desc: "nightly")]
        #expect(matcher.match(attempt(marker: marker), in: versions) == .none)
    }

    @Test func hiddenDescriptionFallsBackToTheHeuristic() {
        let versions = [listed(21, desc: nil)]
        #expect(matcher.match(attempt(marker: marker), in: versions) == .match(versions[0]))
    }

    @Test func heuristicMatchesTimeAndAgreement() {
        let versions = [
            listed(19, createdAfterStart: -3600),
            listed(20, conflicts: ["pre_version_id"]),
            listed(21, createdAfterStart: 2),
        ]
        #expect(matcher.match(attempt(), in: versions) == .match(versions[2]))
    }

    @Test func heuristicRejectsConflictingVersions() {
        #expect(matcher.match(attempt(), in: [listed(21, conflicts: ["app_url"])]) == .none)
    }

    @Test func heuristicRejectsVersionsOlderThanStartMinusMargin() {
        #expect(matcher.match(attempt(), in: [listed(21, createdAfterStart: -61)]) == .none)
        // Within the clock-skew margin it still counts.
        let skewed = listed(21, createdAfterStart: -59)
        #expect(matcher.match(attempt(), in: [skewed]) == .match(skewed))
    }

    @Test func severalCandidatesAreAmbiguous() {
        let versions = [listed(22), listed(21)]
        #expect(matcher.match(attempt(), in: versions) == .ambiguous([versions[1], versions[0]]))
    }

    @Test func versionsOwnedByOthersAreExcluded() {
        let versions = [listed(21), listed(22)]
        #expect(matcher.match(attempt(excluding: [21]), in: versions) == .match(versions[1]))
        #expect(matcher.match(attempt(marker: marker, excluding: [22]), in: [listed(22, desc: "x\(marker)")]) == .none)
    }

    @Test func emptyListMatchesNothing() {
        #expect(matcher.match(attempt(marker: marker), in: []) == .none)
    }

    @Test func listedVersionsAreComparedWithTheRequestSent() throws {
        let request = CreateVersionRequest(
            jobDesc: "nightly\(marker)",
            config: TrainingConfig(workerServerNum: 1, appURL: "/usr/app/", trainURL: "/b/out/", preVersionID: 20))
        let body = #"{"is_success": true, "version_id": 21, "status": 1, "pre_version_id": 20, "app_url": "/usr/other/", "create_time": 1700000001000}"#
        let detail = try VersionDetail.decode(Data(body.utf8))
        let listed = try #require(VersionMatcher.Listed(detail, comparedWith: request))
        #expect(listed.conflicts == ["app_url"])
        #expect(listed.createTime == start.addingTimeInterval(1))
    }
}

@Suite struct RelistScheduleTests {
    @Test func defaultScheduleWidens() {
        let schedule = RelistSchedule()
        let waits = (1...4).compactMap { schedule.wait(afterEmptyListings: $0) }
        #expect(waits == [.seconds(2), .seconds(5), .seconds(15), .seconds(30)])
        #expect(schedule.wait(afterEmptyListings: 5) == nil)
        #expect(schedule.listings == 5)
        #expect(schedule.span == .seconds(52))
    }

    @Test func nonsenseCountsEndTheSchedule() {
        let schedule = RelistSchedule(waits: [.milliseconds(10)])
        #expect(schedule.wait(afterEmptyListings: 0) == nil)
        #expect(schedule.wait(afterEmptyListings: -1) == nil)
        #expect(schedule.wait(afterEmptyListings: 1) == .milliseconds(10))
    }
}

@Suite struct DescMarkerTests {
    func request(_ desc: String?) -> CreateVersionRequest {
        CreateVersionRequest(jobDesc: desc, config: TrainingConfig(workerServerNum: 1, trainURL: "/b/out/", preVersionID: 20))
    }

    @Test func markerIsAppended() {
        let marked = DescMarker.apply(to: request("nightly"), submissionID: "ABC", enabled: true)
        #expect(marked.request.jobDesc == "nightly [trainq:ABC]")
        #expect(marked.marker == " [trainq:ABC]")
        #expect(DescMarker.apply(to: request(nil), submissionID: "ABC", enabled: true).request.jobDesc == " [trainq:ABC]")
    }

    @Test func markerIsLeftOutWhenSwitchedOff() {
        let plain = DescMarker.apply(to: request("nightly"), submissionID: "ABC", enabled: false)
        #expect(plain.request.jobDesc == "nightly")
        #expect(plain.marker == nil)
    }

    @Test func markerIsLeftOutWhenItDoesNotFit() {
        let tag = DescMarker.tag(for: "ABC")
        let fitting = String(repeating: "x", count: 256 - tag.count)
        #expect(DescMarker.apply(to: request(fitting), submissionID: "ABC", enabled: true).request.jobDesc?.count == 256)
        let tooLong = DescMarker.apply(to: request(fitting + "x"), submissionID: "ABC", enabled: true)
        #expect(tooLong.marker == nil)
        #expect(tooLong.request.jobDesc == fitting + "x")
    }
}

/// The start on the service's clock, when known, replaces the host's start and its wide margin.
@Suite struct VersionMatcherServerClockTests {
    let hostStart = Date(timeIntervalSince1970: 1_700_000_000)
    let matcher = VersionMatcher(clockSkewMargin: .seconds(900), serverClockMargin: .seconds(2))

    func listed(_ id: Int64, at createTime: Date) -> VersionMatcher.Listed {
        .init(versionID: id, createTime: createTime, status: 1)
    }

    @Test(arguments: [-600, -120, 120, 600] as [TimeInterval])
    func theServiceClockSeparatesOursFromALookAlikeSecondsBefore(offset: TimeInterval) {
        let serverStart = hostStart.addingTimeInterval(offset)
        let before = listed(21, at: serverStart.addingTimeInterval(-5))
        let ours = listed(22, at: serverStart.addingTimeInterval(0.3))
        let known = VersionMatcher.Attempt(startedAt: hostStart, serverStartedAt: serverStart, marker: nil)
        #expect(matcher.match(known, in: [before, ours]) == .match(ours))
        // Unknown: both lie in the signature-wide window, so nobody can tell.
        let unknown = VersionMatcher.Attempt(startedAt: hostStart, marker: nil)
        #expect(matcher.match(unknown, in: [before, ours]) == .ambiguous([before, ours]))
        #expect(matcher.match(unknown, in: [ours]) == .match(ours))
    }

    @Test func theHostClockAloneWouldHaveMissedIt() {
        // The service's clock ten minutes behind: its create_time precedes our host start by ten minutes.
        let ours = listed(22, at: hostStart.addingTimeInterval(-600 + 0.3))
        let narrow = VersionMatcher(clockSkewMargin: .seconds(120))
        #expect(narrow.match(.init(startedAt: hostStart, marker: nil), in: [ours]) == .none)
        let known = VersionMatcher.Attempt(startedAt: hostStart, serverStartedAt: hostStart.addingTimeInterval(-600), marker: nil)
        #expect(narrow.match(known, in: [ours]) == .match(ours))
    }
}
