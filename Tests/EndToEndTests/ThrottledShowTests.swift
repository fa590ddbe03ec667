import Foundation
import Testing
import TrainQAPI

#if canImport(Glibc)
import Glibc
#endif

/// Throttling as a person sees it: a create answered 429 twice waits, is not charged to the attempt budget,
/// and `trainq show` says how often it was throttled.
@Suite(.serialized) struct ThrottledShowTests {
    @Test func showSaysHowOftenASubmissionWasThrottled() async throws {
        let directory = try TestDirectory()
        let simulator = try await SimulatorProcess(directory: directory)
        defer { simulator.child.signal(SIGKILL) }
        let config = try simulator.daemonConfiguration(in: directory, extra: """
            submit:
              max_attempts: 1
              base_delay: 50ms
            """)
        let daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config])
        try await simulator.setFaults("""
            {"faults": [{"on": "create", "kind": "error", "status": 429, "error_code": "APIGW.0308", "count": 2}]}
            """)
        let request = try SeedRequest.write(in: directory)
        // One attempt in the budget: had the 429s counted, it would end exhausted.
        let submitted = try await CLI.run(["submit", request, "--job-id", "10", "--json", "--socket", daemon.socketPath])
        #expect(submitted.code == 0, "\(submitted.stderr)")
        let id = try APICoding.decoder().decode(SubmissionView.self, from: Data(submitted.stdout.utf8)).id
        let watched = try await CLI.run(["watch", id, "--socket", daemon.socketPath])
        #expect(watched.code == 0, "\(watched.stdout)\(watched.stderr)")
        let shown = try await CLI.run(["show", id, "--socket", daemon.socketPath])
        #expect(shown.code == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("throttled:   2 times (429; not counted against the attempt budget)"), "\(shown.stdout)")
        #expect(await daemon.stop() == 0)
    }
}
