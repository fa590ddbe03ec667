import Foundation
import Testing
import TrainQAPI

#if canImport(Glibc)
import Glibc
#endif

/// "Clients ride through a daemon restart": `trainq watch` and `trainq events --follow` reconnect when
/// trainqd stops (SIGTERM) or dies (SIGKILL) and comes back on the same socket and database, resume after
/// the last seq they printed, and give up with exit 3 once `--reconnect-timeout` has passed.
@Suite(.serialized) struct ClientReconnectTests {
    /// A simulator at time scale 5 (a version runs for 18 s), a trainqd that tracks it closely, and one
    /// submission; the arguments start another trainqd like it.
    static func start(
        in directory: TestDirectory, timeScale: Double = 5
    ) async throws -> (simulator: SimulatorProcess, daemon: DaemonProcess, arguments: [String], id: String) {
        let simulator = try await SimulatorProcess(directory: directory, timeScale: timeScale)
        let config = try simulator.daemonConfiguration(in: directory, extra: """
            track:
              min_interval: 50ms
              max_interval: 200ms
            """)
        let daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config])
        let id = try await TrackingSteps.submit(daemon, job: 10, in: directory)
        return (simulator, daemon, ["--config", config], id)
    }

    /// Waits until `condition` holds; bounded. The failure shows what `child` printed.
    static func eventually(
        _ what: String, of child: ChildProcess, timeout: Duration = .seconds(30), _ condition: () throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("never \(what) (exit \(child.terminationStatus)):\n\(child.stdout)\n\(child.stderr)")
    }

    /// Stops `daemon` (SIGTERM, or SIGKILL with `crash`) and starts another on the same socket and database.
    static func restart(
        _ daemon: DaemonProcess, crash: Bool = false, in directory: TestDirectory, arguments: [String], name: String
    ) async throws -> DaemonProcess {
        if crash { await daemon.crash() } else { #expect(await daemon.stop() == 0) }
        return try await DaemonProcess(directory: directory, extraArguments: arguments, name: name)
    }

    static func count(_ text: String, in output: String) -> Int {
        output.components(separatedBy: text).count - 1
    }

    @Test func watchRidesThroughAGracefulAndAKill9RestartAndPrintsEveryStateOnce() async throws {
        let directory = try TestDirectory()
        let (simulator, first, arguments, id) = try await Self.start(in: directory)
        defer { simulator.child.signal(SIGKILL) }
        var daemon = first
        let watcher = try ChildProcess(
            BuiltProducts.path("trainq"), ["watch", id, "--reconnect-timeout", "60s", "--socket", daemon.socketPath],
            directory: directory, name: "watch")
        try await TrackingSteps.waitUntil(daemon, id, "ran") { $0.remoteStatus?.code == 8 }

        // One restart by SIGTERM, one by SIGKILL, both while the version runs.
        daemon = try await Self.restart(daemon, in: directory, arguments: arguments, name: "trainqd-2")
        try await Self.eventually("came back once", of: watcher) { Self.count("trainqd is back", in: watcher.stderr) == 1 }
        daemon = try await Self.restart(daemon, crash: true, in: directory, arguments: arguments, name: "trainqd-3")
        try await Self.eventually("came back twice", of: watcher) { Self.count("trainqd is back", in: watcher.stderr) == 2 }
        #expect(watcher.isRunning, "watch ended early: \(watcher.stdout) \(watcher.stderr)")
        #expect(try await TrackingSteps.show(daemon, id).state == .tracking, "the version ended before both restarts")

        #expect(await watcher.wait(timeout: .seconds(90)) == 0, "\(watcher.stdout)\n\(watcher.stderr)")
        // One line when each outage began, one when it ended; never one per try.
        #expect(Self.count("is not answering (restarting?); reconnecting for up to 1m0s", in: watcher.stderr) == 2, "\(watcher.stderr)")
        #expect(Self.count("trainqd is back", in: watcher.stderr) == 2)

        // The lines after the first are exactly the last entries of the history: none lost, none twice.
        let view = try await TrackingSteps.show(daemon, id)
        #expect(view.state == .succeeded)
        let lines = watcher.stdout.split(separator: "\n").map(String.init)
        let printed = lines.dropFirst().map(Self.change(inEventLine:))
        let expected = view.history.suffix(printed.count).map(Self.describe)
        #expect(printed == expected, "\(watcher.stdout)")
        #expect(printed.contains { $0.contains("JOBSTAT_RUNNING (8)") } || lines.first?.contains("(8)") == true)
        #expect(printed.last == "succeeded  JOBSTAT_COMPLETED (10)")
        let before = view.history.dropLast(printed.count).last.map(Self.describe)
        #expect(lines.first == "\(id): \(before ?? "?")")
        #expect(await daemon.stop() == 0)
        await simulator.stop()
    }

    @Test func eventsFollowAfterNPrintsExactlyTheEventsAboveNAcrossRestarts() async throws {
        let directory = try TestDirectory()
        let (simulator, first, arguments, id) = try await Self.start(in: directory)
        defer { simulator.child.signal(SIGKILL) }
        var daemon = first
        try await TrackingSteps.waitUntil(daemon, id, "submitted remotely") { $0.remoteStatus?.code == 4 }
        let after = try await TrackingEventsTests.totalEvents(daemon) - 1
        #expect(after > 0)
        let follower = try ChildProcess(
            BuiltProducts.path("trainq"),
            ["events", "--follow", "--json", "--after", String(after), "--reconnect-timeout", "60s", "--socket", daemon.socketPath],
            directory: directory, name: "follow")
        defer { follower.signal(SIGKILL) }
        _ = try await TrackingEventsTests.waitForEvents(from: follower) { !$0.isEmpty }

        // SIGTERM ends the stream cleanly; SIGKILL breaks it. Both resume after the last seq printed.
        daemon = try await Self.restart(daemon, in: directory, arguments: arguments, name: "trainqd-2")
        try await Self.eventually("came back once", of: follower) { Self.count("trainqd is back", in: follower.stderr) == 1 }
        try await TrackingSteps.waitUntil(daemon, id, "ran") { $0.remoteStatus?.code == 8 }
        daemon = try await Self.restart(daemon, crash: true, in: directory, arguments: arguments, name: "trainqd-3")
        try await TrackingSteps.waitUntil(daemon, id, "ended") { $0.state.isTerminal }

        let all = try await CLI.run(["events", "--json", "--after", "0", "--socket", daemon.socketPath])
        let page = try APICoding.decoder().decode(EventsPage.self, from: Data(all.stdout.utf8))
        let printed = try await TrackingEventsTests.waitForEvents(from: follower) { $0.last?.seq == page.lastSeq }
        let expected = page.events.filter { $0.seq > after }
        #expect(printed.map(\.seq) == expected.map(\.seq), "missed or repeated events")
        #expect(printed.map(\.state) == expected.map(\.state))
        #expect(printed.map(\.remoteStatus) == expected.map(\.remoteStatus))
        #expect(Self.count("trainqd is back", in: follower.stderr) == 2, "\(follower.stderr)")
        #expect(follower.isRunning)
        follower.signal(SIGTERM)
        await follower.wait()
        #expect(await daemon.stop() == 0)
        await simulator.stop()
    }

    @Test func watchGivesUpWithExit3AfterTheReconnectTimeout() async throws {
        let directory = try TestDirectory()
        // Time scale 1: the version is far from its end when trainqd goes away for good.
        let (simulator, daemon, _, id) = try await Self.start(in: directory, timeScale: 1)
        defer { simulator.child.signal(SIGKILL) }
        let watcher = try ChildProcess(
            BuiltProducts.path("trainq"), ["watch", id, "--reconnect-timeout", "2s", "--socket", daemon.socketPath],
            directory: directory, name: "watch")
        try await Self.eventually("printed the state", of: watcher) { !watcher.stdout.isEmpty }

        let stopped = ContinuousClock.now
        #expect(await daemon.stop() == 0)
        let code = await watcher.wait(timeout: .seconds(20))
        let waited = ContinuousClock.now - stopped
        #expect(code == 3, "\(watcher.stderr)")
        #expect(waited >= .seconds(2) && waited < .seconds(10), "gave up after \(waited)")
        #expect(Self.count("reconnecting for up to 2s", in: watcher.stderr) == 1, "\(watcher.stderr)")
        #expect(watcher.stderr.contains("did not come back within 2s (--reconnect-timeout); gave up after trying for 2"), "\(watcher.stderr)")
        await simulator.stop()
    }

    @Test func submitWaitStartedBeforeTheDaemonPostsOnceWhenItComesAndWaitsToTheEnd() async throws {
        let directory = try TestDirectory()
        let request = try SeedRequest.write(in: directory)
        let submit = try ChildProcess(
            BuiltProducts.path("trainq"),
            ["submit", request, "--job-id", "10", "--wait", "--reconnect-timeout", "60s", "--socket", directory.file("trainq.sock")],
            directory: directory, name: "submit")
        try await Self.eventually("said it is reconnecting", of: submit) { submit.stderr.contains("is not answering") }
        let daemon = try await DaemonProcess(directory: directory)
        #expect(await submit.wait(timeout: .seconds(60)) == 0, "\(submit.stdout)\n\(submit.stderr)")
        #expect(Self.count("is not answering", in: submit.stderr) == 1)
        #expect(submit.stdout.hasPrefix("submitted "), "\(submit.stdout)")
        let listed = try await CLI.run(["list", "--json", "--socket", daemon.socketPath])
        let list = try APICoding.decoder().decode(SubmissionList.self, from: Data(listed.stdout.utf8))
        #expect(list.submissions.count == 1)
        #expect(await daemon.stop() == 0)
    }

    /// "tracking  JOBSTAT_RUNNING (8)" from a watch line "TIMESTAMP  tracking  JOBSTAT_RUNNING (8)  — reason".
    static func change(inEventLine line: String) -> String {
        let withoutTime = line.split(separator: "  ", maxSplits: 1).last.map(String.init) ?? line
        return withoutTime.components(separatedBy: "  — ").first ?? withoutTime
    }

    static func describe(_ entry: HistoryEntry) -> String {
        guard let remote = entry.remoteStatus else { return entry.state.rawValue }
        return "\(entry.state.rawValue)  \(remote.label)"
    }
}
