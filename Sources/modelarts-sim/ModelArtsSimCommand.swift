import ArgumentParser
import Foundation
import Logging
import ModelArtsSimulator
import ServiceLifecycle
import UnixSignals

/// `modelarts-sim`: runs the simulated ModelArts v1 service until SIGTERM or SIGINT.
@main
struct ModelArtsSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modelarts-sim",
        abstract: "A local simulator of the ModelArts v1 training-version API and IAM token issue.",
        discussion: """
            Prints "modelarts-sim listening on HOST:PORT" once it listens (port 0 picks a free port).
            Control API: POST/GET/DELETE /_sim/faults, GET /_sim/ledger, POST /_sim/versions/{id}/outcome.
            """
    )

    @Option(help: "Address to listen on, HOST:PORT (loopback only makes sense; port 0 picks a free port).")
    var listen = "127.0.0.1:0"

    @Option(help: "Access key accepted for SDK-HMAC-SHA256 signatures (with --sk).")
    var ak: String?

    @Option(help: "Secret key for --ak.")
    var sk: String?

    @Option(name: .customLong("iam-domain"), help: "IAM account (domain) name for POST /v3/auth/tokens.")
    var iamDomain: String?

    @Option(name: .customLong("iam-user"), help: "IAM user name.")
    var iamUser: String?

    @Option(name: .customLong("iam-password"), help: "IAM user password.")
    var iamPassword: String?

    @Option(name: .customLong("token-lifetime"), help: "Seconds an issued token stays valid (the real IAM: 86400).")
    var tokenLifetime: Int = 86_400

    @Option(name: .customLong("time-scale"), help: "Run the service this many times faster than real time (1: about two minutes per version).")
    var timeScale: Double = 1

    @Flag(help: "Only jobs of the scenario (default: job 10 with version 20) exist; unknown jobs are not created on first use.")
    var strict = false

    @Option(name: .customLong("rate-limit"), help: "Requests per second per caller before 429 APIGW.0308 (default: unlimited).")
    var rateLimit: Int?

    @Option(
        name: .customLong("clock-offset"),
        help: "Seconds the service's clock is ahead of this host's (negative: behind): timestamps, Date and the signature window follow it.")
    var clockOffset: Double = 0

    @Option(help: "JSON file with faults, jobs and outcomes to start with.")
    var scenario: String?

    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain: serve HTTPS (with --tls-key).")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        _ = try ListenAddress(listen)
        if (ak == nil) != (sk == nil) { throw ValidationError("--ak and --sk go together.") }
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together.") }
        let iamGiven = [iamDomain, iamUser, iamPassword].filter { $0 != nil }.count
        if iamGiven != 0 && iamGiven != 3 { throw ValidationError("--iam-domain, --iam-user and --iam-password go together.") }
        guard timeScale > 0, timeScale.isFinite else { throw ValidationError("--time-scale must be a positive number.") }
        guard tokenLifetime > 0 else { throw ValidationError("--token-lifetime must be a positive number of seconds.") }
        if let rateLimit, rateLimit < 1 { throw ValidationError("--rate-limit must be at least 1.") }
        guard clockOffset.isFinite, abs(clockOffset) <= 86_400 * 365 else {
            throw ValidationError("--clock-offset must be a number of seconds within a year.")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level \(logLevel).") }
    }

    func run() async throws {
        var logger = Logger(label: "modelarts-sim")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let address = try ListenAddress(listen)
        var configuration = SimulatorConfiguration(
            host: address.host,
            port: address.port,
            tokenLifetime: .seconds(tokenLifetime),
            timeScale: timeScale,
            strict: strict,
            rateLimit: rateLimit,
            clockOffset: .milliseconds(Int64((clockOffset * 1000).rounded()))
        )
        if let ak, let sk { configuration.accessKeys[ak] = sk }
        if let iamDomain, let iamUser, let iamPassword {
            configuration.iamUser = IAMUser(domain: iamDomain, name: iamUser, password: iamPassword)
        }
        if let tlsCert, let tlsKey {
            configuration.tls = SimulatorTLS(certificateChainPath: tlsCert, privateKeyPath: tlsKey)
        }
        if let scenario {
            do {
                configuration.scenario = try Scenario.load(path: scenario)
            } catch {
                throw ValidationError("--scenario: \(error)")
            }
        }
        let host = address.host
        let simulator = ModelArtsSimulator(configuration: configuration, logger: logger) { port in
            // Harnesses read the port from this line; FileHandle writes are unbuffered.
            FileHandle.standardOutput.write(Data("modelarts-sim listening on \(host):\(port)\n".utf8))
        }
        let group = ServiceGroup(configuration: .init(
            services: [simulator], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
