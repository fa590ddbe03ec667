import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

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

/// Collects the answer and remembers whether the request head left.
final class ResponseCollector: HTTPClientResponseDelegate, Sendable {
    typealias Response = HTTPTransport.Response

    private struct State {
        var headSent = false
        var head: HTTPResponseHead?
        var body = Data()
        var truncated = false
    }

    private let state = Mutex(State())
    private let maxBodyBytes: Int

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    var requestHeadSent: Bool { state.withLock { $0.headSent } }

    func didSendRequestHead(task: HTTPClient.Task<Response>, _ head: HTTPRequestHead) {
        state.withLock { $0.headSent = true }
    }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLock { $0.head = head }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        state.withLock { state in
            let room = maxBodyBytes - state.body.count
            if buffer.readableBytes > room {
                state.truncated = true
                if room > 0, let bytes = buffer.getBytes(at: buffer.readerIndex, length: room) { state.body.append(contentsOf: bytes) }
            } else if let bytes = buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) {
                state.body.append(contentsOf: bytes)
            }
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveError(task: HTTPClient.Task<Response>, _ error: any Error) {}

    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> Response {
        state.withLock { state in
            Response(
                status: Int(state.head?.status.code ?? 0), headers: state.head?.headers ?? HTTPHeaders(),
                body: state.body, bodyTruncated: state.truncated)
        }
    }
}
