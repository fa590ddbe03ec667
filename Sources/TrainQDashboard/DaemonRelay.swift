import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import TrainQAPI
import TrainQConnection

/// Forwards `/api/...` to the daemon's socket as the user who runs `trainq dashboard`: trainqd sees
/// this process's peer credentials, so the page may do exactly what that user's `trainq` may do. Bodies
/// stream both ways, so a long-poll or an event stream passes through as it comes.
struct DaemonRelay: Sendable {
    let socketPath: String
    let http: HTTPClient

    /// The largest body the relay passes on: a batch of a thousand requests at the daemon's default limit.
    static let maximumBodyBytes = 16 << 20
    /// Longer than the longest long-poll the daemon allows (300 s).
    static let answerTimeout: TimeAmount = .seconds(330)
    /// Request headers the daemon reads; cookies, `Host` and the CSRF token stay here.
    static let forwardedHeaders: [HTTPField.Name] = [.contentType, .accept, HTTPField.Name("Idempotency-Key")!]

    func relay(_ request: Request, socketSubpath: String) async -> Response {
        var query = ""
        if let rawQuery = request.uri.query, !rawQuery.isEmpty { query = "?" + rawQuery }
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: socketSubpath + query) else {
            return DashboardError.response(.internalServerError, .internalError, "'\(socketPath)' is not a usable socket path")
        }
        var outgoing = HTTPClientRequest(url: url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for name in Self.forwardedHeaders {
            if let value = request.headers[name] { outgoing.headers.add(name: name.rawName, value: value) }
        }
        if request.method != .get, request.method != .head {
            var request = request
            do {
                let body = try await request.collectBody(upTo: Self.maximumBodyBytes)
                outgoing.body = .bytes(body)
            } catch {
                return DashboardError.response(.contentTooLarge, .payloadTooLarge, "the relay passes bodies of at most 16 MiB")
            }
        }
        let answer: HTTPClientResponse
        do {
            answer = try await http.execute(outgoing, timeout: Self.answerTimeout)
        } catch {
            return DashboardError.response(.serviceUnavailable, .daemonUnavailable, unreachable(error))
        }
        var headers: HTTPFields = [.xContentTypeOptions: "nosniff", .cacheControl: "no-store"]
        if let contentType = answer.headers.first(name: "Content-Type") { headers[.contentType] = contentType }
        return Response(
            status: HTTPResponse.Status(code: Int(answer.status.code), reasonPhrase: answer.status.reasonPhrase),
            headers: headers,
            body: ResponseBody(asyncSequence: answer.body))
    }

    /// What the page shows when trainqd cannot be asked: told apart by the error's type, as the CLI does.
    func unreachable(_ error: any Error) -> String {
        let reason =
            switch ConnectionFailure(error) {
            case .notRunning: "no trainqd is listening there (is it running?)"
            case .notAllowed: "this user may not use the socket (is it in the trainq group?)"
            case .dropped: "the connection closed before the answer came (trainqd stopped?)"
            case .timedOut: "trainqd did not answer in time"
            case .other: "\(error)"
            }
        return "trainqd is not reachable at \(socketPath): \(reason)"
    }
}
