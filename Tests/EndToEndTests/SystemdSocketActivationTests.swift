import Foundation
import Testing
import TrainQAPI

#if canImport(Glibc)
import Glibc
#endif

/// Socket activation with the real `systemd-socket-activate`: it binds and listens, then hands the
/// socket to `trainqd` as fd 3 on the first connection.
@Suite(.serialized) struct SystemdSocketActivationTests {
    static let activator = "/usr/bin/systemd-socket-activate"

    /// `trainqd` under `systemd-socket-activate`, listening at `socket` (not yet started: the first
    /// connection starts it).
    static func activated(directory: TestDirectory, socket: String, database: String, name: String = "trainqd") throws -> SpawnedProcess {
        let child = try SpawnedProcess(
            activator,
            ["-l", socket, BuiltProducts.path("trainqd"), "--simulate", "--socket", socket, "--database", database, "--log-level", "debug"],
            directory: directory, name: name
        )
        return child
    }

    static func waitForFile(_ path: String) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        var info = stat()
        while lstat(path, &info) != 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func socketMode(_ path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFSOCK else { return nil }
        return info.st_mode & 0o777
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: activator), "needs systemd-socket-activate"))
    func theDaemonServesTheSocketItIsGivenAndLeavesTheFileAlone() async throws {
        let directory = try TestDirectory()
        let socket = directory.file("activated.sock")
        let daemon = try Self.activated(directory: directory, socket: socket, database: directory.file("trainq.db"))
        try await Self.waitForFile(socket)
        let modeBefore = try #require(Self.socketMode(socket))

        // This connection wakes the daemon; it is answered once trainqd adopted the socket.
        let request = try SeedRequest.write(in: directory)
        let submit = try await CLI.run(["submit", request, "--job-id", "10", "--socket", socket, "--wait"])
        #expect(submit.code == 0, "\(submit.stderr)\n\(daemon.stderr)")
        let status = try await CLI.run(["status", "--socket", socket])
        #expect(status.code == 0, "\(status.stderr)")
        #expect(daemon.stderr.contains("serving the socket passed by systemd"), "\(daemon.stderr)")
        // The socket unit owns mode and group: trainqd does not re-mould them.
        #expect(Self.socketMode(socket) == modeBefore)

        daemon.signal(SIGTERM)
        #expect(await daemon.wait() == 0, "\(daemon.stderr)")
        // Never unlinked: systemd keeps listening on it for the next start.
        #expect(Self.socketMode(socket) == modeBefore)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: activator), "needs systemd-socket-activate"))
    func anActivatedDaemonStillRespectsTheInstanceLock() async throws {
        let directory = try TestDirectory()
        let first = try await DaemonProcess(directory: directory)
        let socket = directory.file("second.sock")
        let second = try Self.activated(directory: directory, socket: socket, database: first.databasePath, name: "second")
        try await Self.waitForFile(socket)
        _ = try await CLI.run(["status", "--socket", socket], timeout: .seconds(20))
        #expect(await second.wait() != 0)
        #expect(second.stderr.contains("another trainqd"), "\(second.stderr)")
        let status = try await CLI.run(["status", "--socket", first.socketPath])
        #expect(status.code == 0)
        #expect(await first.stop() == 0)
    }

    /// `trainqd` serving `listener` as fd 3 with `LISTEN_FDS`/`LISTEN_PID`, as systemd starts it; the
    /// shell's pid is trainqd's once it execs.
    static func serving(_ listener: ListeningUnixSocket, database: String, directory: TestDirectory, name: String) throws -> SpawnedProcess {
        try SpawnedProcess(
            "/bin/sh",
            ["-c", "LISTEN_FDS=1 LISTEN_PID=$$ exec \"$0\" --simulate --socket \"$1\" --database \"$2\" --log-level debug",
             BuiltProducts.path("trainqd"), listener.path, database],
            directory: directory, name: name, passing: listener.descriptor
        )
    }

    /// Polls `trainq status` until the daemon on `socket` answers; bounded.
    static func waitUntilServing(_ socket: String, _ daemon: SpawnedProcess) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, daemon.isRunning {
            if try await CLI.run(["status", "--socket", socket]).code == 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("trainqd did not serve \(socket):\n\(daemon.stderr)")
    }

    /// A restart under socket activation loses no request: the socket stays open and listening while one
    /// trainqd stops and the next starts, so a request sent in between waits in the backlog and the new
    /// process answers it.
    @Test func aRequestSentBetweenTwoDaemonsOnTheSameSocketIsAnsweredByTheNewOne() async throws {
        let directory = try TestDirectory()
        let listener = try ListeningUnixSocket(path: directory.file("activated.sock"))
        let database = directory.file("trainq.db")
        let first = try Self.serving(listener, database: database, directory: directory, name: "trainqd-1")
        try await Self.waitUntilServing(listener.path, first)
        first.signal(SIGTERM)
        #expect(await first.wait() == 0, "\(first.stderr)")
        #expect(Self.socketMode(listener.path) != nil, "the socket file must outlive the daemon")

        // Nobody serves the socket now: the POST is accepted by the kernel and waits.
        let request = try SeedRequest.write(in: directory)
        let client = try SpawnedProcess(
            BuiltProducts.path("trainq"), ["submit", request, "--job-id", "10", "--json", "--socket", listener.path],
            directory: directory, name: "submit")
        try await Task.sleep(for: .milliseconds(500))
        #expect(client.isRunning, "the request should wait in the backlog: \(client.stderr)")

        let second = try Self.serving(listener, database: database, directory: directory, name: "trainqd-2")
        #expect(await client.wait(timeout: .seconds(30)) == 0, "\(client.stderr)\n\(second.stderr)")
        let submission = try APICoding.decoder().decode(SubmissionView.self, from: Data(client.stdout.utf8))
        #expect(second.stderr.contains("accepted submission"), "\(second.stderr)")
        #expect(second.stderr.contains(submission.id))
        #expect(!first.stderr.contains(submission.id))
        second.signal(SIGTERM)
        #expect(await second.wait() == 0, "\(second.stderr)")
    }

    @Test func aPassedDescriptorThatIsNotASocketIsRefused() async throws {
        let directory = try TestDirectory()
        let daemon = try SpawnedProcess(
            "/bin/sh",
            ["-c", "exec 3</dev/null; LISTEN_FDS=1 LISTEN_PID=$$ exec \"$0\" --simulate --socket \"$1\" --database \"$2\"",
             BuiltProducts.path("trainqd"), directory.file("trainq.sock"), directory.file("trainq.db")],
            directory: directory, name: "trainqd"
        )
        #expect(await daemon.wait() != 0)
        #expect(daemon.stderr.contains("is not a socket"), "\(daemon.stderr)")
    }

    @Test func socketsPassedToAnotherProcessAreNotAdopted() async throws {
        let directory = try TestDirectory()
        // LISTEN_PID names someone else: trainqd binds its own socket, with its own mode.
        let daemon = try await DaemonProcess(directory: directory, environment: ["LISTEN_FDS": "1", "LISTEN_PID": "1"])
        #expect(Self.socketMode(daemon.socketPath) == 0o660)
        #expect(!daemon.child.stderr.contains("serving the socket passed by systemd"))
        #expect(await daemon.stop() == 0)
    }
}
