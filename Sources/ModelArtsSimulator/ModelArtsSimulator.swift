import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A faithful local stand-in for the ModelArts v1 training-version API, the v2 training-job API and IAM
/// token issue (DESIGN §7), served over HTTP on loopback.
///
/// Run it as a swift-service-lifecycle `Service` (it stops on graceful shutdown) and ask
/// ``boundPort()`` for the port once it listens; or use ``withRunning(_:logger:_:)`` in tests.
///
/// Choices made where the reference leaves the real behaviour open (each is the safer one for a client):
/// - An unknown job or version is 404 `ModelArts.0015`; stopping a version that already ended is 409
///   `ModelArts.2796` (stopping one that is stopping or stopped again succeeds).
/// - List versions is newest first; list jobs sorts and filters before it pages.
/// - A `reset` fault closes the connection before any work (nothing is created); a `lost_response`
///   fault does the work first (the version exists) and then drops the connection or answers with its
///   `status` (504 `APIGW.0201` "Backend timeout"); a `delay` fault does the work after the delay even
///   when the client has given up meanwhile.
/// - Fault target `any` covers the ModelArts routes, not the IAM route (a separate service).
/// - A missing `Authorization` and `X-Auth-Token`, a bad signature, an unknown AK (`Get secretKey
///   failed`) and an `X-Sdk-Date` more than 15 minutes off are 401 `APIGW.0301`; an unknown or
///   expired token is 401 `APIGW.0307`. A signature must cover `host` and `x-sdk-date`.
/// - Throttling (429 `APIGW.0308`, no `Retry-After`) counts per caller after authentication.
/// - Timestamps are wall-clock epoch milliseconds; `--time-scale` only shortens the phases.
/// - v2: an unknown or deleted job is 400 `ModelArts.2775`; a delete answers 202 and the job stays
///   readable (and keeps its name, unique per project, 400 `ModelArts.2751`) for ten simulated seconds;
///   terminating an ended job is 409 `ModelArts.2796`, terminating a terminating one succeeds again;
///   `restart` is 409 `ModelArts.2813`; a search's `offset` counts items; v2 errors carry
///   `error_msg`, `error_code`, `error_solution` (gateway errors keep the gateway shape).
public struct ModelArtsSimulator: Service {
    public let configuration: SimulatorConfiguration
    private let logger: Logger
    private let cloud: SimulatedCloud
    private let address = BoundAddress()
    private let onServerRunning: @Sendable (Int) async -> Void

    /// - Parameter onServerRunning: called with the bound port once the server listens.
    public init(
        configuration: SimulatorConfiguration,
        logger: Logger = Logger(label: "modelarts-sim"),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.init(configuration: configuration, logger: logger, clock: SimulatedCloud.wallClock, onServerRunning: onServerRunning)
    }

    /// - Parameter clock: epoch milliseconds; tests pass a clock they control. `clock_offset` moves it.
    init(
        configuration: SimulatorConfiguration,
        logger: Logger,
        clock: @escaping @Sendable () -> Int64,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.cloud = SimulatedCloud(configuration: configuration, clock: Self.offsetting(clock, by: configuration.clockOffsetMilliseconds))
        self.onServerRunning = onServerRunning
    }

    private static func offsetting(_ clock: @escaping @Sendable () -> Int64, by milliseconds: Int64) -> @Sendable () -> Int64 {
        guard milliseconds != 0 else { return clock }
        return { clock() + milliseconds }
    }

    public func run() async throws {
        let address = self.address
        let onServerRunning = self.onServerRunning
        let tlsConfiguration: TLSConfiguration?
        do {
            tlsConfiguration = try configuration.tls?.serverConfiguration()
        } catch {
            await address.stop(because: error)
            throw error
        }
        // Idle connections are closed after two minutes, like a gateway would.
        let builder: HTTPServerBuilder = try tlsConfiguration.map {
            try .tls(.http1(configuration: .init(idleTimeout: .seconds(120))), tlsConfiguration: $0)
        } ?? .http1(configuration: .init(idleTimeout: .seconds(120)))
        let responder = SimulatorRouter.make(cloud: cloud, configuration: configuration).buildResponder()
        let logger = self.logger
        let clock = cloud.clock
        // Served without `Application`, which stamps `Date` from the host clock: a service's `Date` comes
        // from its own clock, and this one may be offset (`clock_offset`).
        let server = try builder.buildServer(
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger,
            responder: { (request, responseWriter: consuming ResponseWriter, channel) in
                let context = SimulatorRequestContext(source: .init(channel: channel, logger: logger))
                var response: Response
                do {
                    response = try await responder.respond(to: request, context: context)
                } catch {
                    response = Response(status: .internalServerError)
                }
                response.headers[.date] = HTTPDate.imfFixdate(epochMilliseconds: clock())
                try await responseWriter.write(response: response.head, body: response.body)
            },
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                await address.bind(port)
                await onServerRunning(port)
            })
        do {
            try await server.run()
        } catch {
            await address.stop(because: error)
            throw error
        }
        await address.stop()
    }

    /// The TCP port the server listens on; waits until it is bound. Throws if the server stopped first.
    public func boundPort() async throws -> Int {
        try await address.port()
    }

    /// Everything created and counted so far (the same as `GET /_sim/ledger`).
    public func ledger() async -> Ledger {
        await cloud.ledger()
    }

    /// Replaces the active faults (the same as `POST /_sim/faults`).
    public func setFaults(_ faults: [FaultRule]) async {
        await cloud.replaceFaults(faults)
    }

    /// Scripts how a v2 job ends (the same as `POST /_sim/training-jobs/{id}/outcome`).
    public func setOutcome(_ outcome: TrainingJobOutcome, forTrainingJob id: String) async throws {
        try await cloud.setTrainingJobOutcome(outcome, for: id)
    }

    /// Scripts the terminal status of a version (the same as `POST /_sim/versions/{id}/outcome`).
    public func setOutcome(_ status: Int, forVersion versionID: Int64) async throws {
        try VersionOutcome.validate(status, field: "status")
        try await cloud.setOutcome(status, forVersion: versionID)
    }
}
