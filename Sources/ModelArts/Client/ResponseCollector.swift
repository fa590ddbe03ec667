import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

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
