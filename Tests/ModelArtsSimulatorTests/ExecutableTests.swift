import Foundation
import JSONTree
import NIOHTTP1
import Testing

/// The `modelarts-sim` executable as a real process: it announces its port, serves, reads a scenario
/// file, refuses bad flags, and exits 0 on SIGTERM.
@Suite struct ExecutableTests {
    /// Collects what a pipe delivers, from the pipe's own thread.
    final class Output: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()

        func append(_ chunk: Data) {
            lock.lock()
            data.append(chunk)
            lock.unlock()
        }

        var text: String {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: data, as: UTF8.self)
        }
    }

    struct Running {
        var process: Process
        var stdout: Output
        var stderr: Output
    }

    static func binary() throws -> URL {
        // The test runner lives in the build products directory, next to the executables.
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        let binary = runner.deletingLastPathComponent().appendingPathComponent("modelarts-sim")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the package first: \(binary.path)")
        return binary
    }

    static func start(_ arguments: [String]) throws -> Running {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        let stdout = Output(), stderr = Output()
        let outPipe = Pipe(), errPipe = Pipe()
        outPipe.fileHandleForReading.readabilityHandler = { stdout.append($0.availableData) }
        errPipe.fileHandleForReading.readabilityHandler = { stderr.append($0.availableData) }
        process.standardOutput = outPipe
        process.standardError = errPipe
        try process.run()
        return Running(process: process, stdout: stdout, stderr: stderr)
    }

    /// The port from the "listening on" line (bounded wait).
    static func port(of running: Running) async throws -> Int {
        for _ in 0..<1_000 {
            for line in running.stdout.text.split(separator: "\n") where line.hasPrefix("modelarts-sim listening on 127.0.0.1:") {
                if let port = Int(line.split(separator: ":").last ?? "") { return port }
            }
            guard running.process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("no port line; stdout: \(running.stdout.text) stderr: \(running.stderr.text)")
        throw CancellationError()
    }

    static func waitForExit(_ process: Process) async throws -> Int32 {
        for _ in 0..<1_000 where process.isRunning {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!process.isRunning)
        return process.terminationStatus
    }

    @Test func announcesItsPortServesAndExitsZeroOnSIGTERM() async throws {
        let running = try Self.start(["--listen", "127.0.0.1:0", "--time-scale", "60"])
        defer { if running.process.isRunning { running.process.terminate() } }
        let http = TestHTTP(port: try await Self.port(of: running))
        #expect(try await http.create().status == 200)
        #expect(try await http.ledger()["versions"]?.arrayValue?.count == 1)
        running.process.terminate()
        #expect(try await Self.waitForExit(running.process) == 0)
    }

    @Test func readsAScenarioFileAndCredentials() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("modelarts-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let scenario = directory.appendingPathComponent("scenario.json")
        try Data(#"{"faults":[{"on":"token","kind":"error","status":503,"count":1}],"jobs":[{"job_id":5,"versions":[50]}]}"#.utf8).write(to: scenario)
        let running = try Self.start([
            "--listen", "127.0.0.1:0", "--scenario", scenario.path, "--iam-domain", "acme", "--iam-user", "trainer",
            "--iam-password", "s3cret", "--strict", "--rate-limit", "50",
        ])
        defer { if running.process.isRunning { running.process.terminate() } }
        let http = TestHTTP(port: try await Self.port(of: running))
        let body = TokenTests.passwordBody(user: "trainer", password: "s3cret", domain: "acme")
        #expect(try await http.send(.POST, "/v3/auth/tokens", body: body).status == 503)
        let login = try await http.send(.POST, "/v3/auth/tokens", body: body)
        let token = try #require(login.headers.first(name: "X-Subject-Token"))
        let listed = try await http.send(.GET, TestHTTP.versionsPath(job: 5), headers: [("X-Auth-Token", token)])
        #expect(listed.json?["versions"]?.arrayValue?.first?["version_id"] == .integer(50))
        // Strict: job 10 is not in this scenario.
        #expect(try await http.send(.GET, TestHTTP.versionsPath(job: 10), headers: [("X-Auth-Token", token)]).status == 404)
        running.process.interrupt()
        #expect(try await Self.waitForExit(running.process) == 0)
    }

    @Test(arguments: [
        (["--listen", "localhost"], "--listen"),
        (["--listen", "127.0.0.1:70000"], "--listen"),
        (["--ak", "only-the-access-key"], "--ak"),
        (["--time-scale", "0"], "--time-scale"),
        (["--tls-cert", "/nonexistent/cert.pem"], "--tls-key"),
        (["--scenario", "/nonexistent/scenario.json"], "cannot read"),
    ])
    func refusesBadFlagsWithAMessage(arguments: [String], mention: String) async throws {
        let running = try Self.start(arguments)
        defer { if running.process.isRunning { running.process.terminate() } }
        #expect(try await Self.waitForExit(running.process) != 0)
        try await Task.sleep(for: .milliseconds(50))
        #expect(running.stderr.text.contains(mention), "\(running.stderr.text)")
    }
}
