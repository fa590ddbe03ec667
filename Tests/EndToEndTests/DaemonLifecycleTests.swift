import Foundation
import Testing
import TrainQAPI

#if canImport(Glibc)
import Glibc
#endif

/// Real `trainqd` and `trainq` processes on a temporary socket and database.
@Suite(.serialized) struct DaemonLifecycleTests {
    @Test func aSubmissionSurvivesKill9() async throws {
        let directory = try TestDirectory()
        let request = try SeedRequest.write(in: directory)
        // Hold the simulator's clock far back so the submission is still in flight when we crash.
        var daemon: DaemonProcess? = try await DaemonProcess(directory: directory)
        let socket = daemon!.socketPath
        let submit = try await CLI.run(["submit", request, "--job-id", "10", "--socket", socket, "--json"])
        #expect(submit.code == 0, "\(submit.stderr)")
        let accepted = try APICoding.decoder().decode(SubmissionView.self, from: Data(submit.stdout.utf8))
        #expect(accepted.jobID == 10)

        await daemon!.crash()
        daemon = try await DaemonProcess(directory: directory, name: "trainqd-2")
        let show = try await CLI.run(["show", accepted.id, "--socket", socket, "--json"])
        #expect(show.code == 0, "\(show.stderr)")
        let after = try APICoding.decoder().decode(SubmissionView.self, from: Data(show.stdout.utf8))
        #expect(after.id == accepted.id)
        #expect(after.request == accepted.request)
        #expect(after.owner == accepted.owner)
        #expect(after.createdAt == accepted.createdAt)
        #expect(await daemon!.stop() == 0)
    }

    @Test func aSecondDaemonOnTheSameDatabaseRefusesToStart() async throws {
        let directory = try TestDirectory()
        let first = try await DaemonProcess(directory: directory)
        let second = try ChildProcess(
            BuiltProducts.path("trainqd"),
            ["--simulate", "--socket", directory.file("other.sock"), "--database", first.databasePath],
            directory: directory, name: "second"
        )
        let code = await second.wait()
        #expect(code != 0)
        #expect(second.stderr.contains("another trainqd"), "\(second.stderr)")
        // The first one is untouched and still answers.
        let status = try await CLI.run(["status", "--socket", first.socketPath])
        #expect(status.code == 0)
        #expect(await first.stop() == 0)
    }

    @Test func aSecondDaemonOnTheSameSocketRefusesToStart() async throws {
        let directory = try TestDirectory()
        let first = try await DaemonProcess(directory: directory)
        let second = try ChildProcess(
            BuiltProducts.path("trainqd"),
            ["--simulate", "--socket", first.socketPath, "--database", directory.file("other.db")],
            directory: directory, name: "second"
        )
        let code = await second.wait()
        #expect(code != 0)
        #expect(second.stderr.contains("already serving"), "\(second.stderr)")
        let status = try await CLI.run(["status", "--socket", first.socketPath])
        #expect(status.code == 0)
        #expect(await first.stop() == 0)
    }

    @Test func theSocketHasTheConfiguredMode() async throws {
        let directory = try TestDirectory()
        let daemon = try await DaemonProcess(directory: directory)
        var info = stat()
        #expect(stat(daemon.socketPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660)
        #expect(await daemon.stop() == 0)
    }

    @Test func theCLIReportsADaemonThatIsNotRunning() async throws {
        let directory = try TestDirectory()
        let result = try await CLI.run(["list", "--socket", directory.file("none.sock")])
        #expect(result.code == 3)
        #expect(result.stderr.contains("is it running"))
    }

    @Test func validationProblemsAreListedOneByOne() async throws {
        let directory = try TestDirectory()
        let daemon = try await DaemonProcess(directory: directory)
        let path = directory.file("bad.json")
        try #"{"config": {"worker_server_num": 0, "train_url": "/out/"}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await CLI.run(["submit", path, "--job-id", "10", "--socket", daemon.socketPath])
        #expect(result.code == 4)
        #expect(result.stderr.contains("validation_failed"))
        #expect(result.stderr.contains("config.worker_server_num"))
        #expect(result.stderr.contains("config.pre_version_id"))
        #expect(await daemon.stop() == 0)
    }
}
