import Foundation
import JSONTree
import Logging
import ModelArts
import ModelArtsSimulator
import Testing
import TrainQAPI
import TrainQStore

@testable import TrainQEngine

/// The tracker against the real simulator over loopback, at time scale 20: a normal version spends at
/// least a quarter second in each status, and the tracker polls every 20–50 ms, so run alone it sees
/// every status. When the whole suite starts at once on two cores, the test process can stall for a
/// second or two and a short status passes unseen; so these tests require the history to be complete
/// and in order for what was observed, and `TrackingRestartTests` (separate processes) requires every
/// status of the normal run.
@Suite struct TrackingSimulatorTests {
    static let simulator = SimulatorConfiguration(timeScale: 20)
    static let normalRun = [1, 4, 7, 8, 10]

    /// Every code is a step of `expected`, each once, in `expected`'s order.
    static func isInOrder(_ codes: [Int], within expected: [Int]) -> Bool {
        let positions = codes.map { expected.firstIndex(of: $0) ?? -1 }
        return !positions.contains(-1) && positions == positions.sorted() && Set(positions).count == positions.count
    }

    @Test func aNormalRunIsFollowedThroughEveryStatusToSucceeded() async throws {
        try await EngineHarness.with(simulator: Self.simulator) { harness in
            let engine = harness.makeTrackingEngine()
            let tracker = engine.tracker
            let view = try await harness.runningTracked(engine) {
                let id = try await harness.submit()
                return try await harness.waitFor(id, in: [.succeeded, .failed, .stopped])
            }
            #expect(view.state == .succeeded)
            #expect(Self.isInOrder(view.remoteCodeHistory, within: Self.normalRun), "\(view.remoteCodeHistory)")
            #expect(view.remoteCodeHistory.first == 1)
            #expect(view.remoteCodeHistory.contains(8))
            #expect(view.remoteCodeHistory.last == 10)
            #expect(view.remoteStatus?.code == 10)
            #expect(view.remoteStatus?.name == "JOBSTAT_COMPLETED")
            // Each step has its time, and the times never go back.
            let stamps = view.history.compactMap { $0.remoteStatus == nil ? nil : $0.at }
            #expect(stamps == stamps.sorted())
            #expect(view.history.map(\.seq) == view.history.map(\.seq).sorted())

            let stored = try #require(try await harness.store.stored(id: view.id))
            let snapshot = try #require(stored.remoteSnapshot)
            #expect(snapshot["status"]?.int64Value == 10)
            #expect(snapshot["version_id"]?.int64Value == view.versionID)
            let timing = try #require(stored.timing)
            #expect(timing.startTime != nil)
            #expect((timing.durationMS ?? 0) > 0)
            #expect(await tracker.trackedCount == 0)
        }
    }

    @Test(arguments: [11, 3, 14])
    func aScriptedFailureEndsFailed(outcome: Int) async throws {
        try await EngineHarness.with(simulator: Self.simulator) { harness in
            let view = try await harness.runningTracked(harness.makeTrackingEngine()) {
                let id = try await harness.submit()
                let tracking = try await harness.waitFor(id, in: [.tracking])
                try await harness.simulator.setOutcome(outcome, forVersion: try #require(tracking.versionID))
                return try await harness.waitFor(id, in: [.succeeded, .failed, .stopped])
            }
            #expect(view.state == .failed)
            #expect(view.remoteStatus?.code == outcome)
            #expect(view.remoteCodeHistory.first == 1)
            #expect(view.remoteCodeHistory.last == outcome)
            #expect(Self.isInOrder(view.remoteCodeHistory, within: outcome == 3 ? [1, 4, 2, 3] : [1, 4, 7, 8, outcome]))
            #expect(view.reason?.contains(VersionStatus(code: outcome).displayName) == true)
        }
    }

    @Test func aStopRequestEndsStoppedThroughKilling() async throws {
        try await EngineHarness.with(simulator: Self.simulator) { harness in
            let engine = harness.makeTrackingEngine()
            let tracker = engine.tracker
            let view = try await harness.runningTracked(engine) {
                let id = try await harness.submit()
                let running = try await harness.waitUntil(id, "ran") { $0.remoteStatus?.code == 8 }
                try await harness.client.stopVersion(
                    jobID: running.jobID, versionID: try #require(running.versionID), projectID: running.projectID)
                tracker.pollSoon(id)
                return try await harness.waitFor(id, in: [.succeeded, .failed, .stopped])
            }
            #expect(view.state == .stopped)
            #expect(Self.isInOrder(view.remoteCodeHistory, within: [1, 4, 7, 8, 9, 12]), "\(view.remoteCodeHistory)")
            #expect(view.remoteCodeHistory.contains(8))
            #expect(view.remoteCodeHistory.last == 12)
            #expect(await harness.simulator.ledger().requests.stop == 1)
        }
    }

    @Test func anUnknownStatusKeepsTrackingAndWarnsOnce() async throws {
        let logs = RecordedLogs()
        try await EngineHarness.with(simulator: Self.simulator) { harness in
            let engine = harness.makeTrackingEngine(logger: logs.logger())
            let view = try await harness.runningTracked(engine) {
                let id = try await harness.submit()
                let tracking = try await harness.waitFor(id, in: [.tracking])
                let versionID = try #require(tracking.versionID)
                await harness.simulator.setFaults([
                    FaultRule(
                        target: .show, kind: .respond,
                        body: #"{"is_success": true, "job_id": 10, "version_id": \#(versionID), "status": 99}"#, count: 4)
                ])
                let odd = try await harness.waitUntil(id, "showed status 99") { $0.remoteStatus?.code == 99 }
                #expect(odd.state == .tracking)
                #expect(odd.remoteStatus?.name == "STATUS_99")
                return try await harness.waitFor(id, in: [.succeeded, .failed, .stopped])
            }
            #expect(view.state == .succeeded)
            #expect(view.remoteCodeHistory.contains(99))
            #expect(view.remoteCodeHistory.last == 10)
            #expect(logs.count(.warning, containing: "status trainq does not know") == 1)
        }
    }

    @Test func aVanishedVersionEndsFailedWithTheReason() async throws {
        try await EngineHarness.with(simulator: Self.simulator) { harness in
            let view = try await harness.runningTracked(harness.makeTrackingEngine()) {
                let id = try await harness.submit()
                _ = try await harness.waitFor(id, in: [.tracking])
                // What the simulator answers for a deleted version.
                await harness.simulator.setFaults([
                    FaultRule(target: .show, kind: .error, status: 404, errorCode: "ModelArts.0015",
                              message: "The version does not exist.")
                ])
                return try await harness.waitFor(id, in: [.succeeded, .failed, .stopped])
            }
            #expect(view.state == .failed)
            #expect(view.reason?.contains("no longer exists") == true)
            #expect(view.reason?.contains("404") == true)
        }
    }

    @Test func errorsThatAreNotAVanishedVersionNeverEndTracking() async throws {
        try await EngineHarness.with(simulator: Self.simulator) { harness in
            let view = try await harness.runningTracked(harness.makeTrackingEngine()) {
                let id = try await harness.submit()
                _ = try await harness.waitFor(id, in: [.tracking])
                await harness.simulator.setFaults([
                    FaultRule(target: .show, kind: .error, status: 503, errorCode: "ModelArts.4700", count: 3),
                    FaultRule(target: .show, kind: .error, status: 429, count: 2),
                    // "No such API" (a wrong endpoint or a retired API) is not "no such version".
                    FaultRule(target: .show, kind: .error, status: 404, errorCode: "APIGW.0101", count: 2),
                    FaultRule(target: .show, kind: .error, status: 403, errorCode: "ModelArts.0203", count: 2),
                    FaultRule(target: .show, kind: .reset, count: 2),
                ])
                return try await harness.waitFor(id, in: [.succeeded, .failed, .stopped])
            }
            #expect(view.state == .succeeded)
            let codes = view.remoteCodeHistory
            #expect(codes.first == 1)
            #expect(codes.last == 10)
            // In order, though a status may be missed while polls wait out a Retry-After.
            #expect(Self.isInOrder(codes, within: Self.normalRun), "\(codes)")
            #expect(await harness.simulator.ledger().requests.faults >= 11)
        }
    }

    /// Eight versions of one job cost one list a round; eight versions of eight jobs cost eight shows.
    @Test func versionsOfOneJobAreRefreshedTogetherWithFewerCalls() async throws {
        let versions = 8
        let oneJob = try await Self.callsToFollow(jobs: Array(repeating: 10, count: versions))
        let manyJobs = try await Self.callsToFollow(jobs: (1...Int64(versions)).map { 100 + $0 })
        #expect(oneJob.lists > 0)
        #expect(oneJob.shows <= versions, "shows only before the first list: \(oneJob)")
        #expect(manyJobs.lists == 0)
        #expect(oneJob.total * 3 < manyJobs.total, "one job: \(oneJob), eight jobs: \(manyJobs)")
    }

    /// A reload moves the known versions into a new set: each keeps its schedule (none is polled again at
    /// once) and the tracked count never reads the half-built set.
    @Test func aReloadKeepsTheSchedulesOfKnownVersions() async throws {
        try await EngineHarness.with(simulator: Self.simulator) { harness in
            let logs = RecordedLogs()
            let engine = harness.makeTrackingEngine(minInterval: .seconds(3_600), maxInterval: .seconds(3_600), logger: logs.logger())
            try await harness.runningTracked(engine) {
                var ids: [String] = []
                for job in [10, 10, 11] as [Int64] { ids.append(try await harness.submit(jobID: job)) }
                _ = try await harness.waitForAll(ids, in: [.tracking])
                // Each version's first poll, then nothing for an hour.
                var polls = await harness.pollRequests()
                for _ in 0..<500 where polls < 2 {
                    try await Task.sleep(for: .milliseconds(10))
                    polls = await harness.pollRequests()
                }
                let loadsBefore = logs.count(.debug, containing: "tracking 3 versions")
                await engine.tracker.reloadSoon()
                for _ in 0..<500 where logs.count(.debug, containing: "tracking 3 versions") == loadsBefore {
                    #expect(await engine.tracker.trackedCount == 3)
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(logs.count(.debug, containing: "tracking 3 versions") == loadsBefore + 1, "the reload ran")
                #expect(await engine.tracker.trackedCount == 3)
                // A round after the reload finds nothing due.
                try await Task.sleep(for: .milliseconds(300))
                #expect(await harness.pollRequests() == polls)
            }
        }
    }

    struct CallCount: CustomStringConvertible {
        var lists: Int
        var shows: Int
        var total: Int { lists + shows }
        var description: String { "\(lists) lists + \(shows) shows" }
    }

    /// Submits one version per entry of `jobs`, waits until all are tracked, and counts the calls the
    /// tracker makes from then until every one has succeeded.
    static func callsToFollow(jobs: [Int64]) async throws -> CallCount {
        try await EngineHarness.with(simulator: Self.simulator) { harness in
            try await harness.runningTracked(harness.makeTrackingEngine(maxInterval: .milliseconds(40))) {
                var ids: [String] = []
                for job in jobs { ids.append(try await harness.submit(jobID: job)) }
                _ = try await harness.waitForAll(ids, in: [.tracking, .succeeded])
                let before = await harness.simulator.ledger().requests
                let views = try await harness.waitForAll(ids, in: [.succeeded, .failed, .stopped])
                let after = await harness.simulator.ledger().requests
                for view in views { #expect(view.state == .succeeded) }
                return CallCount(lists: after.list - before.list, shows: after.show - before.show)
            }
        }
    }
}
