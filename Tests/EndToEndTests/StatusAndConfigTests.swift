import Foundation
import Testing
import TrainQAPI

/// `trainq status` against a real `trainqd --simulate`, how the CLI names a daemon it cannot reach, and
/// `trainqd --check-config` on settings that cannot work together.
@Suite(.serialized) struct StatusAndConfigTests {
    @Test func statusShowsWhatTheDaemonDidFromTheHealthJSON() async throws {
        let directory = try TestDirectory()
        let request = try SeedRequest.write(in: directory)
        let daemon = try await DaemonProcess(directory: directory)
        let submit = try await CLI.run(["submit", request, "--job-id", "10", "--wait", "--socket", daemon.socketPath])
        #expect(submit.code == 0, "\(submit.stderr)")

        let json = try await CLI.run(["status", "--json", "--socket", daemon.socketPath])
        #expect(json.code == 0, "\(json.stderr)")
        let health = try APICoding.decoder().decode(HealthView.self, from: Data(json.stdout.utf8))
        let activity = try #require(health.activity)
        #expect(activity.attempts == ["created": 1])
        let creates = try #require(activity.modelArtsCalls.first { $0.operation == "create_version" })
        #expect(creates.count == 1)
        #expect(health.oldestDueSeconds == 0)

        // The shared options may also come before the command, as with `git -C` or `docker -H`.
        let leading = try await CLI.run(["--socket", daemon.socketPath, "--json", "status"])
        #expect(leading.code == 0, "\(leading.stderr)")
        #expect(try APICoding.decoder().decode(HealthView.self, from: Data(leading.stdout.utf8)).activity?.attempts == ["created": 1])
        #expect(health.storage.map { $0.bytes > 0 && $0.oldestKeptAt != nil } == true)

        let text = try await CLI.run(["status", "--socket", daemon.socketPath])
        #expect(text.code == 0, "\(text.stderr)")
        #expect(text.stdout.contains("attempts:             created 1"), "\(text.stdout)")
        #expect(text.stdout.contains("  create_version: 1× HTTP "), "\(text.stdout)")
        #expect(text.stdout.contains("database size: "), "\(text.stdout)")
        #expect(await daemon.stop() == 0)
    }

    @Test func aSocketNobodyListensOnIsADaemonThatIsNotRunning() async throws {
        let directory = try TestDirectory()
        let daemon = try await DaemonProcess(directory: directory)
        // SIGKILL leaves the socket file behind: connecting to it is refused.
        await daemon.crash()
        #expect(FileManager.default.fileExists(atPath: daemon.socketPath))
        let result = try await CLI.run(["status", "--socket", daemon.socketPath])
        #expect(result.code == 3, "\(result.stderr)")
        #expect(result.stderr.contains("is it running"), "\(result.stderr)")
    }

    @Test(arguments: [
        ("submit:\n  base_delay: 10s\n  max_delay: 5s\n", "submit.max_delay"),
        ("track:\n  min_interval: 5m\n  max_interval: 1m\n", "track.max_interval"),
    ])
    func checkConfigRefusesSettingsThatCannotWorkTogether(yaml: String, key: String) async throws {
        let directory = try TestDirectory()
        let file = directory.file("trainqd.yaml")
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        let check = try ChildProcess(
            BuiltProducts.path("trainqd"), ["--config", file, "--simulate", "--check-config"], directory: directory, name: "check"
        )
        #expect(await check.wait() == 78, "\(check.stderr)")
        #expect(check.stderr.contains("configuration key '\(key)'"), "\(check.stderr)")
    }
}
