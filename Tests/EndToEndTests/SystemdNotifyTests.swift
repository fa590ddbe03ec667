import Foundation
import Testing

/// `sd_notify` with a real listener: a datagram socket this test binds as `NOTIFY_SOCKET`, and a real
/// `trainqd` process.
@Suite(.serialized) struct SystemdNotifyTests {
    @Test func theDaemonReportsReadinessQueueDepthsKeepAlivesAndItsStop() async throws {
        let directory = try TestDirectory()
        let listener = try SystemdNotifyListener(path: directory.file("notify.sock"))
        // 400 ms: keep-alives every 200 ms.
        let daemon = try await DaemonProcess(
            directory: directory, environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000"]
        )
        #expect(await listener.wait { $0 == "READY=1" }, "\(listener.messages)")
        let ready = try #require(listener.messages.first { $0.contains("READY=1") })
        #expect(ready.contains("STATUS=queued 0, retrying 0, submitting 0, reconciling 0, tracking 0, needs_attention 0"), "\(ready)")

        // Keep-alives keep coming while the daemon makes progress.
        let before = listener.lines.filter { $0 == "WATCHDOG=1" }.count
        let deadline = ContinuousClock.now + .seconds(20)
        while listener.lines.filter({ $0 == "WATCHDOG=1" }).count < before + 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(listener.lines.filter { $0 == "WATCHDOG=1" }.count >= before + 3)

        // STATUS= follows the queue: a submission shows up in it.
        let request = try SeedRequest.write(in: directory)
        let submit = try await CLI.run(["submit", request, "--job-id", "10", "--socket", daemon.socketPath, "--wait"])
        #expect(submit.code == 0, "\(submit.stderr)")
        let statuses = listener.lines.filter { $0.hasPrefix("STATUS=") }
        #expect(statuses.contains { $0.contains("tracking 1") || $0.contains("queued 1") || $0.contains("submitting 1") }, "\(statuses)")

        #expect(await daemon.stop() == 0)
        let lines = listener.lines
        let stopping = try #require(lines.firstIndex(of: "STOPPING=1"), "\(lines)")
        #expect(!lines[stopping...].contains("READY=1"))
        #expect(lines.firstIndex(of: "READY=1")! < stopping)
    }

    @Test func keepAlivesMeantForAnotherProcessAreNotSent() async throws {
        let directory = try TestDirectory()
        let listener = try SystemdNotifyListener(path: directory.file("notify.sock"))
        let daemon = try await DaemonProcess(
            directory: directory,
            environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "200000", "WATCHDOG_PID": "1"]
        )
        #expect(await listener.wait { $0 == "READY=1" })
        try await Task.sleep(for: .milliseconds(600))
        #expect(!listener.lines.contains("WATCHDOG=1"), "\(listener.lines)")
        #expect(await daemon.stop() == 0)
        #expect(listener.lines.contains("STOPPING=1"))
    }

    @Test func withoutANotifySocketTheDaemonRunsAsUsual() async throws {
        let directory = try TestDirectory()
        let daemon = try await DaemonProcess(directory: directory, environment: ["WATCHDOG_USEC": "200000"])
        let status = try await CLI.run(["status", "--socket", daemon.socketPath])
        #expect(status.code == 0, "\(status.stderr)")
        #expect(await daemon.stop() == 0)
    }
}
