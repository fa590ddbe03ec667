import AsyncHTTPClient
import Foundation
import JSONTree
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing
import TrainQAPI

#if canImport(Glibc)
import Glibc
#endif

/// Plain requests to the dashboard with every header under the test's control: no cookie jar, and
/// redirects are not followed (the 303 itself is under test).
struct RelayClient: Sendable {
    struct Answer: Sendable {
        var status: UInt
        var headers: HTTPHeaders
        var body: Data

        var text: String { String(decoding: body, as: UTF8.self) }
        /// `error.kind` of the error envelope, nil when the body is not one.
        var errorKind: String? { (try? JSONValue.parse(body))?["error"]?["kind"]?.stringValue }
    }

    let http: HTTPClient

    /// Runs `body` with a client that is shut down afterwards, also when `body` throws.
    static func with<Result>(_ body: (RelayClient) async throws -> Result) async throws -> Result {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout.connect = .seconds(5)
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let result: Result
        do {
            result = try await body(RelayClient(http: http))
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        return result
    }

    func send(_ method: HTTPMethod, _ url: String, headers: [(String, String)] = []) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return Answer(status: response.status.code, headers: response.headers, body: Data(buffer: bytes))
    }
}
