import AsyncHTTPClient
import Foundation
import JSONTree
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// `modelarts-sim` as a child process on 127.0.0.1 with an ephemeral port, and its control API.
final class SimulatorProcess: Sendable {
    static let accessKey = "E2EACCESSKEY000000001"
    static let secretKey = "e2e-secret-key-0000000000000000000000001"

    let child: ChildProcess
    let port: Int

    init(directory: TestDirectory, timeScale: Double = 60, extraArguments: [String] = []) async throws {
        child = try ChildProcess(
            BuiltProducts.path("modelarts-sim"),
            ["--listen", "127.0.0.1:0", "--ak", Self.accessKey, "--sk", Self.secretKey, "--time-scale", String(timeScale)] + extraArguments,
            directory: directory, name: "modelarts-sim"
        )
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let line = child.stdout.split(separator: "\n").first(where: { $0.contains("listening on") }),
                let port = line.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) })
            {
                self.port = port
                return
            }
            guard child.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError("modelarts-sim did not start:\n\(child.stderr)")
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    func setFaults(_ json: String) async throws {
        _ = try await control(.POST, "/_sim/faults", body: json)
    }

    func clearFaults() async throws {
        _ = try await control(.DELETE, "/_sim/faults")
    }

    func ledger() async throws -> JSONValue {
        try JSONValue.parse(try await control(.GET, "/_sim/ledger"))
    }

    private func control(_ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> Data {
        var request = HTTPClientRequest(url: endpoint + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw HarnessError("simulator control \(method) \(path) answered \(response.status): \(String(buffer: bytes))")
        }
        return Data(buffer: bytes)
    }

    func stop() async {
        child.signal(SIGTERM)
        await child.wait()
    }

    /// A trainqd configuration file that points at this simulator with its AK/SK in files.
    func daemonConfiguration(in directory: TestDirectory, requestTimeout: String = "2s", extra: String = "") throws -> String {
        try Self.daemonConfiguration(endpoint: endpoint, in: directory, requestTimeout: requestTimeout, extra: extra)
    }

    /// A trainqd configuration file for a simulator at `endpoint` (this one's AK/SK, in files).
    static func daemonConfiguration(
        endpoint: String, in directory: TestDirectory, requestTimeout: String, modelArtsExtra: String = "", extra: String = ""
    ) throws -> String {
        let akFile = directory.file("ak")
        let skFile = directory.file("sk")
        try Self.accessKey.write(toFile: akFile, atomically: true, encoding: .utf8)
        try Self.secretKey.write(toFile: skFile, atomically: true, encoding: .utf8)
        let path = directory.file("trainqd.yaml")
        try """
            modelarts:
              endpoint: \(endpoint)
              project_id: 0123456789abcdef0123456789abcdef
              access_key_file: \(akFile)
              secret_key_file: \(skFile)
              request_timeout: \(requestTimeout)
              rate_limit: 200
              burst: 50\(modelArtsExtra)
            \(extra)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
