import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import TrainQAPI
import TrainQStore

/// Answers `POST /v1/submissions` from the connection's pipeline, so a submission skips the router's
/// per-request machinery (the async request and response streams, middlewares, routing). Everything
/// else, and any submission that arrives while the router still owes an earlier answer, goes on to the
/// router. Both paths run the same `SocketAPI.submission`, `SocketAPI.answer` and
/// `CallerMiddleware.admit`, so the rules stay in one place; this type only carries HTTP.
///
/// It sits after Hummingbird's connection-state handler, which therefore sees every request and answer,
/// and keeps its idle timeout and graceful close right for submissions too.
final class IntakeHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var machine: StateMachine
    private let api: SocketAPI
    private let identification: PeerCallerIdentification
    private let logger: Logger
    private var readPending = false
    private var removed = false

    init(api: SocketAPI, identification: PeerCallerIdentification, logger: Logger) {
        self.machine = StateMachine(maxBodyBytes: api.settings.maxBodyBytes)
        self.api = api
        self.identification = identification
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        run(machine.read(part), part: part, context: context)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { machine.routerAnswerEnded() }
        context.write(data, promise: promise)
    }

    func read(context: ChannelHandlerContext) {
        if machine.holdsReads {
            readPending = true
        } else {
            context.read()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        run(machine.error(error), error: error, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        removed = true
    }

    private func run(_ action: StateMachine.ReadAction, part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch action {
        case .forward:
            context.fireChannelRead(wrapInboundOut(part))
        case .keep:
            break
        case .accept(let head, let body):
            accept(head: head, body: body, context: context)
        case .refuse(let error):
            respond(with: error, context: context)
        }
    }

    private func run(_ action: StateMachine.ErrorAction, error: any Error, context: ChannelHandlerContext) {
        switch action {
        case .pass: context.fireErrorCaught(error)
        case .keep: break
        case .refuse(let answer): respond(with: answer, context: context)
        }
    }

    /// A submission is checked here, on the event loop, handed to the store's thread, and its answer is
    /// written when the store's callback comes back (event loop → store → event loop): no task. Only a
    /// caller whose identity would need the user database (it may be LDAP) is looked up in a task first,
    /// so that the event loop never waits for it.
    private func accept(head: HTTPRequest, body: ByteBuffer, context: ChannelHandlerContext) {
        let submission = ReceivedSubmission(
            body: body, contentType: head.headerFields[.contentType],
            idempotencyKey: head.headerFields[SocketAPI.idempotencyKeyField])
        if let known = identification.knownCaller(on: context.channel) {
            store(submission, from: known, context: context)
            return
        }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let (identification, channel) = (self.identification, context.channel)
        Task {
            let caller = await identification.caller(on: channel)
            handler.eventLoop.execute {
                handler.value.store(submission, from: caller, context: boundContext.value)
            }
        }
    }

    /// The request's headers and body, as the answer needs them.
    private struct ReceivedSubmission: Sendable {
        let body: ByteBuffer
        let contentType: String?
        let idempotencyKey: String?
    }

    private func store(_ submission: ReceivedSubmission, from known: Caller?, context: ChannelHandlerContext) {
        guard !removed else { return }
        let new: NewSubmission
        let caller: Caller
        do {
            caller = try CallerMiddleware.admit(known, path: "/v1/submissions", logger: logger)
            new = try api.submission(
                body: submission.body, contentType: submission.contentType, idempotencyKey: submission.idempotencyKey,
                caller: caller)
        } catch {
            respond(with: error, context: context)
            return
        }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let (api, logger) = (self.api, self.logger)
        api.store.insert(new) { outcome in
            handler.eventLoop.execute {
                let answer: RenderedResponse
                do throws(APIError) {
                    answer = try api.answer(to: new, outcome, caller: caller, logger: logger)
                } catch {
                    answer = IntakeHandler.rendered(error)
                }
                handler.value.write(answer, context: boundContext.value)
            }
        }
    }

    private func respond(with error: APIError, context: ChannelHandlerContext) {
        write(Self.rendered(error), context: context)
    }

    fileprivate static func rendered(_ error: APIError) -> RenderedResponse {
        (try? error.rendered()) ?? RenderedResponse(status: error.status, body: [])
    }

    /// Writes this handler's answer, then goes on with what waited for it.
    private func write(_ answer: RenderedResponse, context: ChannelHandlerContext) {
        guard !removed else { return }
        let closing = machine.answerCloses
        context.write(wrapOutboundOut(.head(answer.head(closing: closing))), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: answer.body))), promise: nil)
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        switch machine.answerWritten() {
        case .close:
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        case .resume(let waited):
            for inbound in waited {
                switch inbound {
                case .part(let part): run(machine.read(part), part: part, context: context)
                case .error(let error): run(machine.error(error), error: error, context: context)
                }
            }
            // The router's channel hands on what it read at the end of a read.
            if !waited.isEmpty { context.fireChannelReadComplete() }
            if readPending, !machine.holdsReads {
                readPending = false
                context.read()
            }
        }
    }
}
