import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ModelArts
import NIOCore
import ServiceLifecycle
import TrainQEngine
import TrainQStore

#if canImport(Glibc)
import Glibc
#endif

/// Everything that needs the ModelArts endpoint: with `--simulate` that is only known once the embedded
/// ModelArts listens, so this service builds the client, the engine and the server when it starts, and
/// runs them in a group of their own (shut down in reverse order: the socket API first, the engine last).
struct DaemonCore: Service {
    let configuration: DaemonConfiguration
    let store: any SubmissionStorage
    let embeddedModelArts: EmbeddedModelArts?
    /// The listening socket systemd passed in; nil when trainqd binds `socket.path` itself.
    let activatedSocket: SocketActivation.ListeningSocket?
    let metrics: DaemonMetrics
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        var embedded: EmbeddedModelArts.Endpoint?
        if let embeddedModelArts {
            let endpoint = try await embeddedModelArts.endpoint()
            embedded = endpoint
            logger.warning("SIMULATED ModelArts: every call goes to the \(endpoint), not to Huawei Cloud")
        }
        let limiter = ModelArtsSetup.limiter(configuration)
        let lastSuccess = LastModelArtsSuccess()
        let client = try ModelArtsClient(
            configuration: try ModelArtsSetup.clientConfiguration(
                configuration, limiter: limiter, embedded: embedded
            ),
            limiter: limiter,
            logger: Logger(label: "trainq.modelarts"),
            observer: { [metrics] record in
                metrics.observe(record)
                if record.error == nil { lastSuccess.record() }
            }
        )
        let engine = SubmissionEngine(
            store: store, client: client, configuration: configuration.engine,
            tracking: Self.trackingConfiguration(configuration), logger: logger
        )
        // Recovery before READY=1: attempts a previous run left on the wire go to reconciliation now.
        let recovered = try await engine.recoverInterruptedAttempts()
        if recovered > 0 {
            logger.notice("attempts interrupted by the last stop go to reconciliation", metadata: ["count": "\(recovered)"])
        }
        let control = EngineControl(engine: engine, lastSuccess: lastSuccess)
        let api = SocketAPI(
            store: store, control: control,
            settings: .init(
                defaultProjectID: configuration.modelArts.projectID ?? embedded?.projectID,
                maxBodyBytes: configuration.socket.maxBodyBytes,
                simulated: embedded != nil
            ),
            metrics: metrics
        )
        let policy = AccessPolicy(configuration: configuration.access, daemonUID: getuid())
        let identification = PeerCallerIdentification(policy: policy, directory: UserDirectory())
        let router = api.router(identify: identification.middleware.identify)
        let socket = configuration.socket
        let notifier = self.notifier
        let logger = self.logger
        let store = self.store
        /// The database is open, recovery is done and the socket takes connections.
        let announceReady: @Sendable (String) async -> Void = { path in
            let counts = (try? await store.countsByState()) ?? [:]
            notifier.ready(status: QueueStatus.line(counts))
            logger.notice("trainqd ready", metadata: ["socket": "\(path)"])
        }
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionCredentialsHandler(), MalformedRequestHandler()],
            idleTimeout: .seconds(socket.idleTimeout.components.seconds)
        )
        let makeIntakeHandler: @Sendable () -> IntakeHandler = { IntakeHandler(api: api, identification: identification, logger: logger) }
        let server: any Service
        if let activatedSocket {
            server = AdoptedSocketServer(
                socket: activatedSocket, responder: router.buildResponder(), configuration: http1, intake: makeIntakeHandler,
                onServerRunning: { await announceReady(activatedSocket.path) }, logger: logger
            )
        } else {
            UnixSocketPreparation.setSocketUmask(mode: socket.mode)
            server = Application(
                router: router,
                server: HTTPServerBuilder { responder in
                    IntakeChannel(base: HTTP1Channel(responder: responder, configuration: http1), makeHandler: makeIntakeHandler)
                },
                configuration: .init(address: .unixDomainSocket(path: socket.path), serverName: nil),
                onServerRunning: { _ in
                    UnixSocketPreparation.restoreUmask()
                    do {
                        try UnixSocketPreparation.finish(path: socket.path, mode: socket.mode, group: socket.group)
                    } catch {
                        logger.warning("\(error)")
                    }
                    await announceReady(socket.path)
                },
                logger: logger
            )
        }
        // Shut down in reverse: systemd hears STOPPING=1 first, then the socket closes, then the engine drains.
        let services: [any Service] = engine.services + [
            server,
            SystemdStatusService(store: store, notifier: notifier, watchdogInterval: SystemdNotifier.watchdogInterval(), logger: logger),
            HeapTrimmer(),
        ]
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        do {
            try await group.run()
        } catch {
            try? await client.shutdown()
            throw error
        }
        try? await client.shutdown()
    }

    /// The simulator runs `time_scale` times faster than the real service, so tracking polls that much
    /// more often too; otherwise a two-second simulated version would be seen in one or two polls.
    static func trackingConfiguration(_ configuration: DaemonConfiguration) -> VersionTracker.Configuration {
        let scale = configuration.simulate ? max(1, configuration.simulateTimeScale) : 1
        var tracking = configuration.track
        tracking.minInterval = tracking.minInterval / scale
        tracking.maxInterval = tracking.maxInterval / scale
        tracking.maxQueuedInterval = tracking.maxQueuedInterval / scale
        return tracking
    }
}

extension DaemonCore: CustomStringConvertible {
    /// Service-lifecycle logs services by description; the default one would print every field, keys included.
    var description: String { "DaemonCore" }
}
