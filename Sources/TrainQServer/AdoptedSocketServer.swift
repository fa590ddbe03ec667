import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOExtras
import NIOPosix
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// Serves the socket API on a listening socket systemd passed in (socket activation). Hummingbird's
/// `Application` can only bind an address, so this is the small server around the same parts: NIO adopts
/// the descriptor, Hummingbird's HTTP/1 child channel parses requests, and the router answers them.
/// Closing the channel closes our descriptor only; the socket file stays with the socket unit.
actor AdoptedSocketServer: Service {
    enum State {
        case initial
        case running(channel: any Channel, quiescing: ServerQuiescingHelper)
        case shuttingDown
        case finished
    }

    private var state: State = .initial
    private let socket: SocketActivation.ListeningSocket
    private let childChannel: IntakeChannel
    private let onServerRunning: @Sendable () async -> Void
    private let logger: Logger

    init<Responder: HTTPResponder>(
        socket: SocketActivation.ListeningSocket,
        responder: Responder,
        configuration: HTTP1Channel.Configuration,
        intake: @escaping @Sendable () -> IntakeHandler,
        onServerRunning: @escaping @Sendable () async -> Void,
        logger: Logger
    ) where Responder.Context == TrainQRequestContext {
        self.socket = socket
        self.onServerRunning = onServerRunning
        self.logger = logger
        let http1 = HTTP1Channel(
            responder: { request, responseWriter, channel in
                let context = TrainQRequestContext(source: .init(channel: channel, logger: logger))
                var response: Response
                do {
                    response = try await responder.respond(to: request, context: context)
                } catch {
                    // The router's error middleware already answers every error it knows; this is the rest.
                    logger.debug("unhandled error", metadata: ["error": "\(error)"])
                    response = Response(status: .internalServerError)
                }
                // As Hummingbird's Application does: HTTP/1.1 origin servers send Date.
                response.headers[.date] = HTTPDate.now()
                try await responseWriter.write(response: response.head, body: response.body)
            },
            configuration: configuration
        )
        self.childChannel = IntakeChannel(base: http1, makeHandler: intake)
    }

    func run() async throws {
        guard case .initial = state else { return }
        let group = MultiThreadedEventLoopGroup.singleton
        let quiescing = ServerQuiescingHelper(group: group)
        let childChannel = self.childChannel
        let logger = self.logger
        let bootstrap = ServerBootstrap(group: group)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
        let server = try await bootstrap.bind(socket.descriptor, serverBackPressureStrategy: nil) { channel in
            childChannel.setup(channel: channel, logger: logger)
        }
        state = .running(channel: server.channel, quiescing: quiescing)
        logger.info("serving the socket passed by systemd", metadata: ["socket": "\(socket.path)", "fd": "\(socket.descriptor)"])
        await withGracefulShutdownHandler {
            await onServerRunning()
            await withDiscardingTaskGroup { connections in
                do {
                    try await server.executeThenClose { inbound in
                        for try await connection in inbound {
                            connections.addTask { await childChannel.handle(value: connection, logger: logger) }
                        }
                    }
                } catch {
                    logger.error("accepting connections failed", metadata: ["error": "\(error)"])
                }
            }
        } onGracefulShutdown: {
            Task { await self.shutDown() }
        }
        state = .finished
    }

    /// Stops accepting, lets requests in progress finish and closes idle keep-alive connections.
    private func shutDown() async {
        guard case .running(let channel, let quiescing) = state else { return }
        state = .shuttingDown
        let done = channel.eventLoop.makePromise(of: Void.self)
        quiescing.initiateShutdown(promise: done)
        do {
            try await done.futureResult.get()
        } catch {
            logger.error("closing the socket server failed", metadata: ["error": "\(error)"])
        }
    }
}

/// The IMF-fixdate of RFC 9110 (`Sun, 06 Nov 1994 08:49:37 GMT`), from the C library: the process runs in
/// the C locale, so day and month names are English.
enum HTTPDate {
    static func now() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
