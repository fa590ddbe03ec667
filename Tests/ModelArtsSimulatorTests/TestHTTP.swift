import AsyncHTTPClient
import Foundation
import JSONTree
import NIOCore
import NIOHTTP1

/// A raw HTTP exchange with a simulator on loopback, for asserting on the wire: status, headers, JSON.
struct TestHTTP {
    let port: Int

    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var bodyText: String
        var json: JSONValue?

        var errorCode: String? { json?["error_code"]?.stringValue }
        var requestID: String? { headers.first(name: "X-Request-Id") }
    }

    static let project = "0123456789abcdef0123456789abcdef"

    static func versionsPath(job: Int64 = 10, project: String = TestHTTP.project) -> String {
        "/v1/\(project)/training-jobs/\(job)/versions"
    }

    /// The seed's sample body, with a chosen previous version.
    static func sampleBody(preVersionID: Int64 = 20, jobDesc: String = "This is a ModelArts job") -> String {
        """
        {"job_desc":"\(jobDesc)","config":{"worker_server_num":1,"app_url":"/usr/app/","boot_file_url":"/usr/app/boot.py",\
        "parameter":[{"label":"learning_rate","value":"0.01"},{"label":"batch_size","value":"32"}],\
        "dataset_id":"38277e62-9e59-48f4-8d89-c8cf41622c24","dataset_version_id":"2ff0d6ba-c480-45ae-be41-09a8369bfc90",\
        "spec_id":1,"engine_id":1,"train_url":"/usr/train/","log_url":"/usr/log/","pre_version_id":\(preVersionID)}}
        """
    }

    func send(
        _ method: HTTPMethod,
        _ pathAndQuery: String,
        headers: [(String, String)] = [],
        body: String? = nil,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(pathAndQuery)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                request.headers.add(name: "Content-Type", value: "application/json")
            }
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let buffer = try await response.body.collect(upTo: 16 * 1024 * 1024)
        let text = String(buffer: buffer)
        return Reply(
            status: Int(response.status.code),
            headers: response.headers,
            bodyText: text,
            json: try? JSONValue.parse(Data(text.utf8))
        )
    }

    func create(job: Int64 = 10, preVersionID: Int64 = 20, jobDesc: String = "This is a ModelArts job") async throws -> Reply {
        try await send(.POST, Self.versionsPath(job: job), body: Self.sampleBody(preVersionID: preVersionID, jobDesc: jobDesc))
    }

    func show(job: Int64 = 10, version: Int64) async throws -> Reply {
        try await send(.GET, Self.versionsPath(job: job) + "/\(version)")
    }

    func ledger() async throws -> JSONValue {
        let reply = try await send(.GET, "/_sim/ledger")
        return reply.json ?? .null
    }

    func setFaults(_ json: String) async throws -> Reply {
        try await send(.POST, "/_sim/faults", body: json)
    }
}
