import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// One HTTP exchange on async-http-client, with the one fact the retry policy depends on: whether the
/// request could have reached the server. AHC reports "request head sent" synchronously after it hands
/// the head to the channel, so a failure before that moment is *not sent* (connect refused, DNS, TLS
/// handshake, no connection before the deadline) and any failure after it is *maybe sent*.
struct HTTPTransport: Sendable {
    let httpClient: HTTPClient
    let requestTimeout: Duration
    let maxResponseBytes: Int

    struct Request: Sendable {
        var method: HTTPMethod
        var url: String
        var headers: HTTPHeaders
        var body: Data
    }

    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
        var bodyTruncated: Bool
    }

    func execute(_ request: Request, operation: ModelArtsOperation, logger: Logger) async throws(ModelArtsError) -> Response {
        let ahcRequest: HTTPClient.Request
        do {
            ahcRequest = try HTTPClient.Request(
                url: request.url, method: request.method, headers: request.headers,
                body: request.body.isEmpty ? nil : .byteBuffer(ByteBuffer(bytes: request.body)))
        } catch {
            throw .configuration(operation: operation, message: "cannot build a request for \(request.url): \(error)")
        }
        let collector = ResponseCollector(maxBodyBytes: maxResponseBytes)
        let task = httpClient.execute(
            request: ahcRequest, delegate: collector, eventLoop: .indifferent,
            deadline: .now() + HTTPClientFactory.timeAmount(requestTimeout), logger: logger)
        do {
            return try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            throw Self.transportError(error, headSent: collector.requestHeadSent, operation: operation)
        }
    }

    /// Maps an AHC/NIO failure to not-sent or maybe-sent, with a message that names the cause.
    static func transportError(_ error: any Error, headSent: Bool, operation: ModelArtsOperation) -> ModelArtsError {
        let cause = describe(error)
        if headSent {
            return .transportMaybeSent(operation: operation, message: cause)
        }
        return .transportNotSent(operation: operation, message: cause)
    }

    static func describe(_ error: any Error) -> String {
        if let ahc = error as? HTTPClientError {
            switch ahc {
            case .deadlineExceeded: return "request timed out (deadline exceeded)"
            case .readTimeout: return "read timed out"
            case .writeTimeout: return "write timed out"
            case .connectTimeout: return "connect timed out"
            case .remoteConnectionClosed: return "connection closed by the server"
            case .cancelled: return "call cancelled"
            default: return "HTTP client error: \(ahc)"
            }
        }
        return "\(type(of: error)): \(error)"
    }
}
