import Foundation
import Logging
import ServiceLifecycle
import UnixSignals
import TrainQAPI
import TrainQStore

/// Assembles and runs `trainqd`: the instance lock, the store, the embedded ModelArts if the executable
/// brought one, and `DaemonCore` (client, engine, tracker, socket API), all in one `ServiceGroup` that
/// shuts down gracefully on SIGTERM and SIGINT.
public enum Daemon {
    /// `embeddedModelArts` is what `--simulate` runs instead of Huawei Cloud; it is required exactly when
    /// the configuration asks to simulate.
    public static func run(
        configuration: DaemonConfiguration, embeddedModelArts: EmbeddedModelArts? = nil, logger: Logger
    ) async throws {
        if configuration.simulate, embeddedModelArts == nil {
            throw ConfigurationError(key: "simulate.enabled", problem: "this trainqd has no embedded ModelArts to simulate with")
        }
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
        if let embeddedModelArts {
            services.append(embeddedModelArts.service)
        }
        let core = DaemonCore(
            configuration: configuration, store: store, embeddedModelArts: embeddedModelArts,
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
