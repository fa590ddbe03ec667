import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ModelArts
import ModelArtsSimulator
import NIOCore
import ServiceLifecycle
import UnixSignals
import TrainQAPI
import TrainQEngine
import TrainQStore

#if canImport(Glibc)
import Glibc
#endif

/// Assembles and runs `trainqd`: the instance lock, the store, the ModelArts client (or the embedded
/// simulator), the engine and tracker services, and the socket API, all in one `ServiceGroup` that shuts
/// down gracefully on SIGTERM and SIGINT.
public enum Daemon {
    public static func run(configuration: DaemonConfiguration, logger: Logger) async throws {
        let notifier = SystemdNotifier()
        let activated = try SocketActivation.inheritedSocket()
        try prepareDatabaseDirectory(configuration.databasePath)
        // Socket activation or not, one daemon per database.
        let lock = try InstanceLock(databasePath: configuration.databasePath)
        if activated == nil {
            try UnixSocketPreparation.claim(path: configuration.socket.path)
        }

        let store = try SubmissionStore(path: configuration.databasePath, logger: logger)
        logger.info("database open", metadata: ["path": "\(configuration.databasePath)"])
        let metrics = DaemonMetrics()
        metrics.bootstrapMetricsSystem()

        var services: [any Service] = []
        var simulator: ModelArtsSimulator?
        var simulatedKeys: (String, String)?
        if configuration.simulate {
            let keys = SimulatedDefaults.keyPair()
            simulatedKeys = keys
            let embedded = ModelArtsSimulator(
                configuration: SimulatorConfiguration(accessKeys: [keys.0: keys.1], timeScale: configuration.simulateTimeScale),
                logger: Logger(label: "modelarts-sim")
            )
            simulator = embedded
            services.append(EmbeddedSimulator(simulator: embedded))
        }
        let core = DaemonCore(
            configuration: configuration, store: store, simulator: simulator, simulatedKeys: simulatedKeys,
            activatedSocket: activated, metrics: metrics, notifier: notifier, logger: logger
        )
        services.append(core)
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        do {
            try await group.run()
        } catch {
            notifier.stopping()
            await store.close()
            throw error
        }
        await store.close()
        withExtendedLifetime(lock) {}
        logger.notice("trainqd stopped")
    }

    static func prepareDatabaseDirectory(_ path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) else { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        } catch {
            throw ConfigurationError(key: "database.path", problem: "cannot create the directory \(directory): \(error)")
        }
    }
}

/// Everything that needs the ModelArts endpoint: with `--simulate` that is only known once the embedded
/// simulator listens, so this service builds the client, the engine and the server when it starts, and
/// runs them in a group of their own (shut down in reverse order: the socket API first, the engine last).
struct DaemonCore: Service {
    let configuration: DaemonConfiguration
    let store: SubmissionStore
    let simulator: ModelArtsSimulator?
    let simulatedKeys: (String, String)?
    /// The listening socket systemd passed in; nil when trainqd binds `socket.path` itself.
    let activatedSocket: SocketActivation.ListeningSocket?
    let metrics: DaemonMetrics
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        var endpoint: URL?
        if let simulator {
            let port = try await simulator.boundPort()
            endpoint = URL(string: "http://127.0.0.1:\(port)")
            logger.warning("SIMULATED ModelArts: every call goes to the embedded simulator at 127.0.0.1:\(port), not to Huawei Cloud")
        }
        let limiter = ModelArtsSetup.limiter(configuration)
        let lastSuccess = LastModelArtsSuccess()
        let client = try ModelArtsClient(
            configuration: try ModelArtsSetup.clientConfiguration(
                configuration, limiter: limiter, endpointOverride: endpoint, simulatedKeys: simulatedKeys
            ),
            limiter: limiter,
            logger: Logger(label: "trainq.modelarts"),
            observer: { [metrics] record in
                metrics.observe(record)
                if record.error == nil { lastSuccess.record() }
            }
        )
        let engine = SubmissionEngine(
            store: store, client: client, configuration: Self.engineConfiguration(configuration),
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
                defaultProjectID: configuration.modelArts.projectID ?? (configuration.simulate ? SimulatedDefaults.projectID : nil),
                maxBodyBytes: configuration.socket.maxBodyBytes,
                simulated: configuration.simulate
            ),
            metrics: metrics
        )
        let policy = AccessPolicy(configuration: configuration.access, daemonUID: getuid())
        let router = api.router(identify: CallerMiddleware.peerCredentials(policy: policy, directory: UserDirectory()).identify)
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
        let server: any Service
        if let activatedSocket {
            server = AdoptedSocketServer(
                socket: activatedSocket, responder: router.buildResponder(), configuration: http1,
                onServerRunning: { await announceReady(activatedSocket.path) }, logger: logger
            )
        } else {
            UnixSocketPreparation.setSocketUmask(mode: socket.mode)
            server = Application(
                router: router,
                server: .http1(configuration: http1),
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
        return .init(minInterval: configuration.track.minInterval / scale, maxInterval: configuration.track.maxInterval / scale)
    }

    static func engineConfiguration(_ configuration: DaemonConfiguration) -> EngineConfiguration {
        EngineConfiguration(
            retry: .init(
                maxAttempts: configuration.submit.maxAttempts, maxAge: configuration.submit.maxAge,
                baseDelay: configuration.submit.baseDelay, maxDelay: configuration.submit.maxDelay,
                slowBaseDelay: configuration.submit.slowBaseDelay, slowMaxDelay: configuration.submit.slowMaxDelay
            ),
            descMarker: configuration.submit.descMarker,
            concurrency: configuration.modelArts.concurrency,
            rateLimit: configuration.modelArts.rateLimit,
            burst: configuration.modelArts.burst,
            reconcile: .init(relistSchedule: .init(waits: configuration.submit.reconcileWaits)),
            drainTimeout: configuration.submit.drainTimeout
        )
    }
}

/// The embedded simulator as a service whose description holds no key: service-lifecycle logs every
/// service by its description, and the simulator's own would show the simulated key pair.
struct EmbeddedSimulator: Service, CustomStringConvertible {
    let simulator: ModelArtsSimulator
    var description: String { "ModelArtsSimulator (embedded)" }

    func run() async throws {
        try await simulator.run()
    }
}

extension DaemonCore: CustomStringConvertible {
    /// Service-lifecycle logs services by description; the default one would print every field, keys included.
    var description: String { "DaemonCore" }
}

/// The one-line queue summary for `STATUS=` and logs.
enum QueueStatus {
    static func line(_ counts: [SubmissionState: Int]) -> String {
        let shown: [SubmissionState] = [.queued, .retrying, .submitting, .reconciling, .tracking, .needsAttention]
        return shown.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", ")
    }
}
