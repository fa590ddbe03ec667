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

/// A real child process with its output captured to files (pipes could fill up and block it).
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let stdoutPath: String
    let stderrPath: String

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: TestDirectory, name: String) throws {
        stdoutPath = directory.file("\(name).out")
        stderrPath = directory.file("\(name).err")
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TRAINQ_") }
        merged.merge(environment) { _, new in new }
        process.environment = merged
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to end, at most `timeout`; kills it when the time is up.
    @discardableResult
    func wait(timeout: Duration = .seconds(30)) async -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

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
