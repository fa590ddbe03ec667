import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import TrainQAPI

/// Answers bytes that are not HTTP with the error envelope (400, `bad_request`) and closes the connection.
///
/// Without it the HTTP server answers an unparseable request with a bare `400` and no body, the one answer
/// of the socket API that would not be an envelope. It only speaks when the connection is between requests
/// and every response has been written; otherwise (a request is being read or answered) the error goes on
/// to the server, and the body reader turns it into an envelope there.
final class MalformedRequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var requestsStarted = 0
    private var requestsEnded = 0
    private var responsesEnded = 0
    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: requestsStarted += 1
        case .end: requestsEnded += 1
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { responsesEnded += 1 }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard requestsStarted == requestsEnded, responsesEnded == requestsEnded else {
            context.fireErrorCaught(error)
            return
        }
        guard !answered else { return }
        answered = true
        let envelope = ErrorEnvelope(kind: .badRequest, message: "the request is not valid HTTP/1.1 (\(parserError))")
        let body = (try? APICoding.encoder().encode(envelope)) ?? Data()
        var buffer = context.channel.allocator.buffer(capacity: body.count + 1)
        buffer.writeBytes(body)
        buffer.writeString("\n")
        let head = HTTPResponse(status: .badRequest, headerFields: [
            .contentType: "application/json; charset=utf-8", .contentLength: String(buffer.readableBytes), .connection: "close",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(buffer)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
