import ArgumentParser
import Foundation
import Logging
import TrainQServer

@main
struct TrainQDaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trainqd",
        abstract: "The trainq daemon: stores ModelArts version requests durably and submits and follows them.",
        discussion: "Configuration: the YAML file, TRAINQ_* environment variables, then these flags. See config/trainqd.yaml."
    )

    @Option(name: .long, help: "The configuration file (default: /etc/trainq/trainqd.yaml if it exists).")
    var config: String?

    @Option(name: .long, help: "The API socket (socket.path).")
    var socket: String?

    @Option(name: .long, help: "The SQLite database (database.path).")
    var database: String?

    @Option(name: .customLong("database-url"), help: "A PostgreSQL database shared with other daemons (database.url).")
    var databaseURL: String?

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical (log.level).")
    var logLevel: String?

    @Flag(name: .long, help: "Use an in-process ModelArts simulator on 127.0.0.1 instead of the real service.")
    var simulate = false

    @Flag(name: .long, help: "Check the configuration and exit.")
    var checkConfig = false

    func run() async throws {
        let configuration: DaemonConfiguration
        do {
            configuration = try await DaemonConfiguration.load(
                overrides: .init(configFile: config, socketPath: socket, databasePath: database, logLevel: logLevel, simulate: simulate, databaseURL: databaseURL)
            )
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("trainqd: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        if checkConfig {
            print("trainqd: configuration is valid")
            return
        }
        DaemonLogHandler.bootstrap(level: Logger.Level(rawValue: configuration.logLevel) ?? .info)
        MemoryAllocatorTuning.keepFreedMemory()
        let logger = Logger(label: "trainqd")
        do {
            try await Daemon.run(
                configuration: configuration,
                embeddedModelArts: configuration.simulate ? EmbeddedSimulator.embeddedModelArts(timeScale: configuration.simulateTimeScale) : nil,
                logger: logger
            )
        } catch {
            logger.critical("trainqd cannot run: \(error)")
            FileHandle.standardError.write(Data("trainqd: \(error)\n".utf8))
            // A setting found wrong only at start (a shared database's instance.name already in use) is a
            // configuration error too: systemd does not restart on 78 (RestartPreventExitStatus).
            throw ExitCode(error is ConfigurationError ? 78 : 1)
        }
    }
}
