import Foundation
import Logging
import ServiceLifecycle
import UnixSignals
import TrainQAPI
import TrainQPostgres
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
        // Socket activation or not, one daemon per SQLite file, or per socket on a shared database.
        let lock: InstanceLock
        if configuration.database.url == nil {
            try prepareDatabaseDirectory(configuration.databasePath)
            lock = try InstanceLock(databasePath: configuration.databasePath)
        } else {
            lock = try InstanceLock(databasePath: configuration.socket.path)
        }
        if activated == nil {
            try UnixSocketPreparation.claim(path: configuration.socket.path)
        }

        let store = try await openStore(configuration, logger: logger)
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

    /// The daemon's own SQLite file, or the PostgreSQL database it shares with other daemons.
    static func openStore(_ configuration: DaemonConfiguration, logger: Logger) async throws -> any SubmissionStorage {
        guard let text = configuration.database.url else {
            let store = try SubmissionStore(path: configuration.databasePath, logger: logger)
            logger.info("database open", metadata: ["path": "\(configuration.databasePath)"])
            return store
        }
        let url: PostgresDatabaseURL
        let password: String?
        do {
            url = try PostgresDatabaseURL(parsing: text)
            password = try databasePassword(configuration.database)
        } catch {
            throw ConfigurationError(key: error.key, problem: error.problem)
        }
        let store: PostgresSubmissionStore
        do {
            store = try await PostgresSubmissionStore.open(
                settings: PostgresConnectionSettings(url: url, password: password),
                configuration: PostgresStoreConfiguration(
                    instanceName: configuration.instanceName, leaseDuration: configuration.database.lease,
                    operationTimeout: configuration.database.timeout),
                logger: logger)
        } catch let error as PostgresConfigurationError {
            throw ConfigurationError(key: error.key, problem: error.problem)
        }
        logger.info(
            "shared database open",
            metadata: ["host": "\(url.host):\(url.port)", "database": "\(url.database)", "instance": "\(configuration.instanceName)"])
        return store
    }

    /// `database.password_file`, else the systemd credential, else none (the server trusts the connection).
    static func databasePassword(_ database: DaemonConfiguration.SharedDatabase) throws(PostgresConfigurationError) -> String? {
        if let file = database.passwordFile {
            return try PostgresConnectionSettings.password(fromFile: file)
        }
        if let directory = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"] {
            let path = directory + "/" + DaemonConfiguration.SharedDatabase.credentialName
            if FileManager.default.fileExists(atPath: path) {
                return try PostgresConnectionSettings.password(fromFile: path, key: "credential \(DaemonConfiguration.SharedDatabase.credentialName)")
            }
        }
        return nil
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
