import Foundation
import JSONTree
import Testing
import TrainQAPI

#if canImport(Glibc)
import Glibc
#endif

/// Issue 5, events and stop: the follow stream delivers changes in order, a client that reconnects with
/// its last seq misses nothing, a follower gives up when the daemon stays away, and a cancel while tracking
/// stops the version remotely. Real processes, the command line as the client.
@Suite(.serialized) struct TrackingEventsTests {
    @Test func followDeliversInOrderAndReconnectingWithAfterLosesNothing() async throws {
        let directory = try TestDirectory()
        let simulator = try await SimulatorProcess(directory: directory, timeScale: 30)
        defer { simulator.child.signal(SIGKILL) }
        let config = try simulator.daemonConfiguration(in: directory, extra: """
            track:
              min_interval: 30ms
              max_interval: 100ms
            """)
        let daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config])
        let firstFollower = try ChildProcess(
            BuiltProducts.path("trainq"), ["events", "--follow", "--json", "--socket", daemon.socketPath],
            directory: directory, name: "follow-1")
        let first = try await TrackingSteps.submit(daemon, job: 10, in: directory)
        try await TrackingSteps.waitUntil(daemon, first, "ran") { $0.remoteStatus?.code == 8 }

        // The first client goes away in the middle; the second picks up from its last seq.
        let seen = try await Self.waitForEvents(from: firstFollower) { !$0.isEmpty }
        firstFollower.signal(SIGKILL)
        await firstFollower.wait()
        let seenBeforeDisconnect = try TrackingSteps.events(printedBy: firstFollower)
        #expect(seenBeforeDisconnect.count >= seen.count)
        let last = try #require(seenBeforeDisconnect.last).seq
        let secondFollower = try ChildProcess(
            BuiltProducts.path("trainq"),
            ["events", "--follow", "--json", "--after", String(last), "--reconnect-timeout", "1s", "--socket", daemon.socketPath],
            directory: directory, name: "follow-2")
        let second = try await TrackingSteps.submit(daemon, job: 11, in: directory)
        for id in [first, second] {
            try await TrackingSteps.waitUntil(daemon, id, "ended") { $0.state.isTerminal }
        }

        // Everything the daemon recorded, read in one page.
        let all = try await CLI.run(["events", "--json", "--after", "0", "--socket", daemon.socketPath])
        let page = try APICoding.decoder().decode(EventsPage.self, from: Data(all.stdout.utf8))
        let resumed = try await Self.waitForEvents(from: secondFollower) { $0.last?.seq == page.events.last?.seq }
        let stitched = seenBeforeDisconnect + resumed
        #expect(stitched.map(\.seq) == page.events.map(\.seq), "missed or repeated events")
        // The same events, whichever way they came (timestamps may differ in their last digits).
        let summary: (EventView) -> String = { "\($0.seq) \($0.submission) \($0.state.rawValue) \($0.remoteStatus?.code ?? -1)" }
        #expect(stitched.map(summary) == page.events.map(summary))
        #expect(page.events.map(\.seq) == Array(1...Int64(page.events.count)))
        for id in [first, second] {
            let codes = page.events.filter { $0.submission == id }.compactMap(\.remoteStatus?.code)
            #expect(codes.first == 1)
            #expect(codes.last == 10)
            #expect(codes == codes.sorted { [1, 4, 7, 8, 10].firstIndex(of: $0) ?? 99 < [1, 4, 7, 8, 10].firstIndex(of: $1) ?? 99 })
        }

        // When the daemon stops for good, the follower gives up after its reconnect timeout.
        #expect(await daemon.stop() == 0)
        #expect(await secondFollower.wait(timeout: .seconds(15)) == 3)
        #expect(secondFollower.stderr.contains("did not come back within 1s"), "\(secondFollower.stderr)")
        await simulator.stop()
    }

    @Test func followFromZeroDeliversABacklogLargerThanOnePage() async throws {
        let directory = try TestDirectory()
        let simulator = try await SimulatorProcess(directory: directory, timeScale: 120)
        defer { simulator.child.signal(SIGKILL) }
        let config = try simulator.daemonConfiguration(in: directory, extra: """
            track:
              min_interval: 20ms
              max_interval: 50ms
            """)
        let daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config])
        var ids: [String] = []
        // About seven events each: well over the stream's page of 500.
        for index in 0..<80 {
            ids.append(try await TrackingSteps.submit(daemon, job: 10 + Int64(index % 8), in: directory))
        }
        for id in ids {
            try await TrackingSteps.waitUntil(daemon, id, "ended", { $0.state.isTerminal })
        }
        let follower = try ChildProcess(
            BuiltProducts.path("trainq"), ["events", "--follow", "--json", "--socket", daemon.socketPath],
            directory: directory, name: "follow")
        let total = try await Self.totalEvents(daemon)
        #expect(total > 500)
        let events = try await Self.waitForEvents(from: follower) { $0.count >= total }
        #expect(events.map(\.seq) == Array(1...total))
        follower.signal(SIGTERM)
        await follower.wait()
        #expect(await daemon.stop() == 0)
        await simulator.stop()
    }

    @Test func cancelWhileTrackingStopsTheVersionRemotely() async throws {
        let directory = try TestDirectory()
        let simulator = try await SimulatorProcess(directory: directory, timeScale: 20)
        defer { simulator.child.signal(SIGKILL) }
        let config = try simulator.daemonConfiguration(in: directory, extra: """
            track:
              min_interval: 20ms
              max_interval: 50ms
            """)
        let daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config])
        let id = try await TrackingSteps.submit(daemon, job: 10, in: directory)
        try await TrackingSteps.waitUntil(daemon, id, "ran") { $0.remoteStatus?.code == 8 }
        let canceled = try await CLI.run(["cancel", id, "--socket", daemon.socketPath])
        #expect(canceled.code == 0, "\(canceled.stderr)")
        let watched = try await CLI.run(["watch", id, "--socket", daemon.socketPath])
        #expect(watched.code == 11, "watch exits 11 for stopped: \(watched.stdout) \(watched.stderr)")
        let view = try await TrackingSteps.show(daemon, id)
        #expect(view.state == .stopped)
        #expect(view.remoteCodeHistory.suffix(3) == [8, 9, 12])
        #expect(await daemon.stop() == 0)
        let ledger = try await simulator.ledger()
        #expect(ledger["requests"]?["stop"]?.int64Value == 1)
        await simulator.stop()
    }

    /// The highest seq the daemon has, from the long-poll answer.
    static func totalEvents(_ daemon: DaemonProcess) async throws -> Int64 {
        let reply = try await CLI.run(["events", "--json", "--after", "0", "--socket", daemon.socketPath])
        return try APICoding.decoder().decode(EventsPage.self, from: Data(reply.stdout.utf8)).lastSeq
    }

    /// Reads what a follower printed until `done` holds; bounded.
    static func waitForEvents(
        from child: ChildProcess, timeout: Duration = .seconds(30), until done: ([EventView]) -> Bool
    ) async throws -> [EventView] {
        let deadline = ContinuousClock.now + timeout
        var events: [EventView] = []
        while ContinuousClock.now < deadline {
            events = try TrackingSteps.events(printedBy: child)
            if done(events) { return events }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("the follower printed \(events.count) events, last seq \(events.last?.seq ?? 0):\n\(child.stderr)")
    }
}
