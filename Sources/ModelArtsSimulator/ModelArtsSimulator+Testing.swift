import Logging
import ServiceLifecycle

extension ModelArtsSimulator {
    /// A simulator listening on `127.0.0.1` at a fresh port for the time of `body`, then shut down.
    /// `port` in the configuration is ignored.
    ///
    /// ```swift
    /// try await ModelArtsSimulator.withRunning(.init(timeScale: 60)) { simulator, port in ... }
    /// ```
    public static func withRunning<Result: Sendable>(
        _ configuration: SimulatorConfiguration = .init(),
        logger: Logger = Logger(label: "modelarts-sim"),
        _ body: (ModelArtsSimulator, Int) async throws -> Result
    ) async throws -> Result {
        try await withRunning(configuration, logger: logger, clock: SimulatedCloud.wallClock, body)
    }

    /// The same, on a clock the caller controls (epoch milliseconds).
    static func withRunning<Result: Sendable>(
        _ configuration: SimulatorConfiguration,
        logger: Logger = Logger(label: "modelarts-sim"),
        clock: @escaping @Sendable () -> Int64,
        _ body: (ModelArtsSimulator, Int) async throws -> Result
    ) async throws -> Result {
        var configuration = configuration
        configuration.port = 0
        let simulator = ModelArtsSimulator(configuration: configuration, logger: logger, clock: clock)
        let group = ServiceGroup(configuration: .init(services: [simulator], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let port = try await simulator.boundPort()
                let result = try await body(simulator, port)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
