import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where `swift build` put our executables: next to the test bundle.
enum BuiltProducts {
    static var directory: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("trainqd").path) { return url }
        }
        return URL(fileURLWithPath: ".build/debug")
    }

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}

/// One fresh directory per test, removed afterwards.
final class TestDirectory: Sendable {
    let path: String

    init() throws {
        // Short: Unix socket paths are limited to 107 bytes.
        let path = "/tmp/tq-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.path = path
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Every child of the end-to-end tests is started with `posix_spawn` (see `SpawnedProcess`): Foundation's
/// `Process.run()` was seen to crash the test runner (a bad `memcpy` inside it) when many children were
/// started over a run, and it stalls other children while one `exec`s.
typealias ChildProcess = SpawnedProcess

/// `trainqd` as a child process on a test's own socket and database.
final class DaemonProcess: Sendable {
    let child: ChildProcess
    let socketPath: String
    let databasePath: String

    init(directory: TestDirectory, extraArguments: [String] = ["--simulate"], environment: [String: String] = [:], name: String = "trainqd") async throws {
        socketPath = directory.file("trainq.sock")
        databasePath = directory.file("trainq.db")
        child = try ChildProcess(
            BuiltProducts.path("trainqd"),
            ["--socket", socketPath, "--database", databasePath, "--log-level", "debug"] + extraArguments,
            environment: environment, directory: directory, name: name
        )
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if try await isServing() { return }
            if !child.isRunning { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw HarnessError("trainqd did not start serving \(socketPath):\n\(child.stderr)")
    }

    private func isServing() async throws -> Bool {
        let status = try await CLI.run(["status", "--socket", socketPath])
        return status.code == 0
    }

    func stop() async -> Int32 {
        child.signal(SIGTERM)
        return await child.wait()
    }

    func crash() async {
        child.signal(SIGKILL)
        await child.wait()
    }
}

/// Runs the `trainq` command line to completion.
enum CLI {
    struct Result {
        var code: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], stdin: String? = nil, timeout: Duration = .seconds(60)) async throws -> Result {
        let directory = try TestDirectory()
        let child = try ChildProcess(BuiltProducts.path("trainq"), arguments, directory: directory, name: "trainq")
        let code = await child.wait(timeout: timeout)
        return Result(code: code, stdout: child.stdout, stderr: child.stderr)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The seed's sample request body, as the API page gives it.
enum SeedRequest {
    static let json = """
        {
            "job_desc": "This is a ModelArts job",
            "config": {
                "worker_server_num": 1,
                "app_url": "/usr/app/",
                "boot_file_url": "/usr/app/boot.py",
                "parameter": [
                    {"label": "learning_rate", "value": "0.01"},
                    {"label": "batch_size", "value": "32"}
                ],
                "dataset_id": "38277e62-9e59-48f4-8d89-c8cf41622c24",
                "dataset_version_id": "2ff0d6ba-c480-45ae-be41-09a8369bfc90",
                "spec_id": 1,
                "engine_id": 1,
                "train_url": "/usr/train/",
                "log_url": "/usr/log/",
                "pre_version_id": 20
            }
        }
        """

    static func write(in directory: TestDirectory) throws -> String {
        let path = directory.file("request.json")
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
