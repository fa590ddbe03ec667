import Foundation
import JSONTree
import Testing
import TrainQAPI

#if canImport(Glibc)
import Glibc
#endif

/// Issue 5: "after a restart (graceful or kill -9) tracking resumes where it was, with no lost
/// transition". Real `trainqd` and `modelarts-sim` processes.
@Suite(.serialized) struct TrackingRestartTests {
    @Test func kill9DuringTrackingResumesAndKeepsTheWholeHistory() async throws {
        let directory = try TestDirectory()
        // Time scale 10: a version waits 1.5 s (WAITING) and runs 9 s (RUNNING), time enough to crash and
        // restart in the middle.
        let simulator = try await SimulatorProcess(directory: directory, timeScale: 10)
        defer { simulator.child.signal(SIGKILL) }
        let config = try simulator.daemonConfiguration(in: directory, extra: """
            track:
              min_interval: 50ms
              max_interval: 200ms
            """)
        var daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config])
        let first = try await TrackingSteps.submit(daemon, job: 10, in: directory)
        let second = try await TrackingSteps.submit(daemon, job: 11, in: directory)

        try await TrackingSteps.waitUntil(daemon, first, "waited remotely") { $0.remoteStatus?.code == 7 }
        await daemon.crash()
        daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config], name: "trainqd-2")

        // `trainq watch` follows it to the end and says how it ended.
        let watched = try await CLI.run(["watch", first, "--socket", daemon.socketPath], timeout: .seconds(90))
        #expect(watched.code == 0, "watch: \(watched.stdout) \(watched.stderr)")
        let view = try await TrackingSteps.show(daemon, first)
        #expect(view.state == .succeeded)
        #expect(view.remoteCodeHistory == [1, 4, 7, 8, 10])
        #expect(view.history.map(\.seq) == view.history.map(\.seq).sorted())
        #expect(Set(view.history.map(\.seq)).count == view.history.count)

        let other = try await TrackingSteps.waitUntil(daemon, second, "ended") { $0.state.isTerminal }
        #expect(other.state == .succeeded)
        #expect(other.remoteCodeHistory.last == 10)
        #expect(await daemon.stop() == 0)

        // The simulator made exactly one version for each.
        let ledger = try await simulator.ledger()
        #expect((ledger["versions"]?.arrayValue ?? []).count == 2)
        await simulator.stop()
    }
}
