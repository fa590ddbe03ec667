import Foundation
import JSONTree
import Testing
import TrainQAPI

#if canImport(Glibc)
import Glibc
#endif

/// Issue: the database on a small filesystem that fills up. `POST` answers 503 in the envelope, nothing
/// acknowledged is lost, and the daemon takes submissions again by itself once there is space.
@Suite(.serialized) struct DiskFullTests {
    @Test(.enabled(if: SizeLimitedFilesystem.canMount, "needs root to mount a size-limited tmpfs; skipped"))
    func aFullDiskAnswers503LosesNothingAndRecoversWhenSpaceIsFree() async throws {
        let directory = try TestDirectory()
        let filesystem = try SizeLimitedFilesystem(at: directory.file("db"), megabytes: 8)
        defer { filesystem.unmount() }
        let databasePath = filesystem.path + "/trainq.db"
        let daemon = try await DaemonProcess(directory: directory, extraArguments: ["--simulate", "--database", databasePath])
        defer { daemon.child.signal(SIGKILL) }
        let client = ChaosSocketClient(socketPath: daemon.socketPath)
        defer { Task { [client] in await client.shutdown() } }

        // Fill the filesystem with a file of ballast, leaving only a little room for the database.
        let ballast = filesystem.path + "/ballast"
        try filesystem.fill(ballast, leavingBytes: 1024 * 1024)

        var acknowledged: [String] = []
        var refusal: ChaosSocketClient.Reply?
        for index in 0..<5_000 {
            let reply = try await client.send("POST", "/v1/submissions", body: Self.body(index))
            if reply.status == 202 {
                acknowledged.append(try APICoding.decoder().decode(SubmissionView.self, from: reply.body).id)
                continue
            }
            refusal = reply
            break
        }
        let beforeFull = acknowledged.count
        let full = try #require(refusal, "the filesystem never filled up")
        #expect(beforeFull >= 5, "the database should take a few submissions before the disk is full")
        #expect(full.status == 503)
        let envelope = try JSONValue.parse(full.body)
        #expect(envelope["error"]?["kind"]?.stringValue == "store_unavailable", "\(full.text)")
        #expect(envelope["error"]?["message"]?.stringValue?.isEmpty == false)

        // While full, every submission is refused the same way and the daemon stays up and readable.
        var refused = 1
        for index in 0..<20 {
            let reply = try await client.send("POST", "/v1/submissions", body: Self.body(10_000 + index))
            #expect(reply.status == 503 || reply.status == 202, "\(reply.status) \(reply.text)")
            if reply.status == 202 { acknowledged.append(try APICoding.decoder().decode(SubmissionView.self, from: reply.body).id) }
            if reply.status == 503 { refused += 1 }
        }
        #expect(daemon.child.isRunning)
        let readable = try await client.send("GET", "/v1/submissions?limit=1")
        #expect(readable.status == 200, "\(readable.text)")

        // Space again: without a restart, submissions are taken again.
        try FileManager.default.removeItem(atPath: ballast)
        var recovered = false
        let deadline = ContinuousClock.now + .seconds(30)
        var index = 20_000
        while ContinuousClock.now < deadline {
            let reply = try await client.send("POST", "/v1/submissions", body: Self.body(index))
            index += 1
            if reply.status == 202 {
                acknowledged.append(try APICoding.decoder().decode(SubmissionView.self, from: reply.body).id)
                recovered = true
                break
            }
            #expect(reply.status == 503, "\(reply.status) \(reply.text)")
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(recovered, "trainqd did not take submissions again once space was free")

        // Nothing acknowledged was lost, also across a crash.
        print("disk full: \(beforeFull) acknowledged before the disk was full, \(refused) refused with 503 while full, \(acknowledged.count) acknowledged in all")
        await daemon.crash()
        let restarted = try await DaemonProcess(
            directory: directory, extraArguments: ["--simulate", "--database", databasePath], name: "trainqd-2"
        )
        let after = ChaosSocketClient(socketPath: restarted.socketPath)
        let stored = Set(try await ChaosListing.all(client: after).map(\.id))
        await after.shutdown()
        #expect(Set(acknowledged).isSubset(of: stored), "lost: \(Set(acknowledged).subtracting(stored))")
        #expect(await restarted.stop() == 0)
    }

    static func body(_ index: Int) -> Data {
        ChaosRequestBody.submission(job: 10, previous: 20, description: "disk full \(index)")
    }
}

/// A tmpfs of a fixed size mounted for one test (root only).
struct SizeLimitedFilesystem {
    let path: String

    /// Whether this process may mount one: it tries once, on a scratch directory.
    static let canMount: Bool = {
        guard getuid() == 0 else { return false }
        let scratch = "/tmp/tq-mount-probe-\(getpid())"
        guard (try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)) != nil else { return false }
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        guard mount("tmpfs", scratch, "tmpfs", 0, "size=64k") == 0 else { return false }
        umount(scratch)
        return true
    }()

    init(at path: String, megabytes: Int) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(megabytes)m") == 0 else {
            throw HarnessError("mounting a tmpfs at \(path) failed: \(String(cString: strerror(errno)))")
        }
        self.path = path
    }

    /// Writes `file` until the filesystem has only about `leavingBytes` left.
    func fill(_ file: String, leavingBytes: Int) throws {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { throw HarnessError("statvfs \(path) failed") }
        let free = Int(info.f_bavail) * Int(info.f_frsize)
        let size = max(0, free - leavingBytes)
        guard FileManager.default.createFile(atPath: file, contents: Data(count: size)) else {
            throw HarnessError("could not write \(size) bytes of ballast to \(file)")
        }
    }

    func unmount() {
        umount2(path, Int32(MNT_DETACH))
    }
}
