import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A keep-alive HTTP client for trainqd's Unix socket, for tests that send many requests: starting a
/// `trainq` process per request would measure process start-up, not the daemon.
final class ChaosSocketClient: Sendable {
    struct Reply: Sendable {
        var status: UInt
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    let socketPath: String
    private let http: HTTPClient

    init(socketPath: String) {
        self.socketPath = socketPath
        var configuration = HTTPClient.Configuration()
        // A daemon that is down must fail the request at once: the caller decides when to try again.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(2)
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    func send(
        _ method: String, _ path: String, body: Data? = nil, headers: [(String, String)] = [],
        timeout: Duration = .seconds(20)
    ) async throws -> Reply {
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: path) else {
            throw HarnessError("'\(socketPath)' is not a usable socket path")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await http.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let reply = Reply(status: response.status.code, body: Data(buffer: bytes))
        AnswerRecorder.record(
            method: method, path: path, status: Int(reply.status), contentType: response.headers.first(name: "Content-Type"), body: reply.body
        )
        return reply
    }

    /// True once the daemon answers its health endpoint.
    func isServing() async -> Bool {
        (try? await send("GET", "/v1/health", timeout: .seconds(2)).status) == 200
    }

    func shutdown() async {
        try? await http.shutdown()
    }
}

/// A submission body for the socket API: the seed's configuration for `job`, starting from `previous`.
enum ChaosRequestBody {
    static func submission(job: Int64, previous: Int64, description: String) -> Data {
        let text = """
            {"job_id": \(job), "job_desc": "\(description)", "config": {
              "worker_server_num": 1, "app_url": "/usr/app/", "boot_file_url": "/usr/app/boot.py",
              "parameter": [{"label": "learning_rate", "value": "0.01"}, {"label": "batch_size", "value": "32"}],
              "dataset_id": "38277e62-9e59-48f4-8d89-c8cf41622c24",
              "dataset_version_id": "2ff0d6ba-c480-45ae-be41-09a8369bfc90",
              "spec_id": 1, "engine_id": 1, "train_url": "/usr/train/", "log_url": "/usr/log/",
              "pre_version_id": \(previous)}}
            """
        return Data(text.utf8)
    }

    /// A v2 job (the shape of `examples/v2-job.json`); trainq names it `chaos-...`.
    static func trainingJob(description: String) -> Data {
        let text = """
            {"api": "v2", "job": {"kind": "job", "metadata": {"name": "chaos", "description": "\(description)"},
              "algorithm": {"code_dir": "/bucket/app/", "boot_file": "/bucket/app/train.py",
                "engine": {"engine_name": "PyTorch", "engine_version": "2.1"},
                "parameters": [{"name": "learning_rate", "value": "0.01"}],
                "outputs": [{"name": "train_url", "remote": {"obs": {"obs_url": "/bucket/out/"}}}]},
              "spec": {"resource": {"flavor_id": "modelarts.vm.cpu.2u", "node_count": 1}}}}
            """
        return Data(text.utf8)
    }

    /// The simulator knows job 10 with version 20 and creates any other job on first use with the
    /// previous version it is asked for; `job * 100` keeps those apart.
    static func previousVersion(of job: Int64) -> Int64 { job == 10 ? 20 : job * 100 }
}
