import Foundation
import JSONTree
import Logging
import ModelArts
import ModelArtsSimulator
import ServiceLifecycle
import Testing
import TrainQAPI
import TrainQStore

@testable import TrainQEngine

/// A real simulator on 127.0.0.1, a real SQLite store in its own temporary directory, a real signing
/// client, and the engine between them, with delays shrunk so tests run in seconds.
struct EngineHarness {
    static let projectID = "0123456789abcdef0123456789abcdef"
    static let accessKey = "AKTESTENGINE0000001"
    static let secretKey = "engine-test-secret-key"
    static let iamUser = IAMUser(domain: "engine-domain", name: "engine-user", password: "engine-password")

    /// How the client proves who it is: signing with AK/SK, or an IAM token from the simulator's IAM.
    enum Authentication {
        case accessKey
        case token
    }

    let simulator: ModelArtsSimulator
    let port: Int
    let directory: URL
    let store: SubmissionStore
    let client: ModelArtsClient
    var configuration: EngineConfiguration

    /// Engine settings for tests: millisecond backoffs, a short re-list schedule.
    static func fastConfiguration(concurrency: Int = 4, maxAttempts: Int = 10) -> EngineConfiguration {
        EngineConfiguration(
            retry: .init(
                maxAttempts: maxAttempts, maxAge: .seconds(3600), baseDelay: .milliseconds(20), maxDelay: .milliseconds(100),
                slowBaseDelay: .milliseconds(150), slowMaxDelay: .milliseconds(300)),
            concurrency: concurrency,
            reconcile: .init(
                clockSkewMargin: .seconds(5),
                relistSchedule: RelistSchedule(waits: [.milliseconds(50), .milliseconds(100), .milliseconds(150)])),
            drainTimeout: .seconds(2)
        )
    }

    /// Runs `body` with a simulator and a fresh store; everything is shut down and removed afterwards.
    static func with<Result: Sendable>(
        simulator simulatorConfiguration: SimulatorConfiguration = .init(timeScale: 60),
        configuration: EngineConfiguration = fastConfiguration(),
        clientRate: Double = 1000, clientBurst: Int = 1000, requestTimeout: Duration = .seconds(5),
        authentication: Authentication = .accessKey,
        _ body: (EngineHarness) async throws -> Result
    ) async throws -> Result {
        var simulatorConfiguration = simulatorConfiguration
        simulatorConfiguration.accessKeys = [accessKey: secretKey]
        simulatorConfiguration.iamUser = iamUser
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trainq-engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let logger = Logger(label: "test")
        return try await ModelArtsSimulator.withRunning(simulatorConfiguration, logger: quietLogger()) { simulator, port in
            let store = try SubmissionStore(path: directory.appendingPathComponent("trainq.db").path, logger: logger)
            let endpoint = try #require(URL(string: "http://127.0.0.1:\(port)"))
            let clientAuthentication: ModelArtsAuthentication
            switch authentication {
            case .accessKey:
                clientAuthentication = .accessKey(AKSKSigner(accessKey: accessKey, secretKey: secretKey))
            case .token:
                clientAuthentication = .token(IAMTokenProvider(
                    configuration: .init(
                        endpoint: endpoint,
                        credentials: IAMPasswordCredentials(
                            domain: iamUser.domain, user: iamUser.name, password: iamUser.password, project: .id(projectID))),
                    logger: quietLogger()))
            }
            let client = try ModelArtsClient(
                configuration: ModelArtsClientConfiguration(
                    endpoint: endpoint, projectID: projectID,
                    authentication: clientAuthentication,
                    connectTimeout: .seconds(2), requestTimeout: requestTimeout,
                    rate: clientRate, burst: clientBurst, concurrency: 16),
                logger: quietLogger())
            let harness = EngineHarness(
                simulator: simulator, port: port, directory: directory, store: store, client: client,
                configuration: configuration)
            do {
                let result = try await body(harness)
                try await client.shutdown()
                await store.close()
                return result
            } catch {
                try? await client.shutdown()
                await store.close()
                throw error
            }
        }
    }

    /// Critical only, unless `TRAINQ_TEST_LOG_LEVEL` asks for more (to see the engine's story of a test).
    static func quietLogger() -> Logger {
        var logger = Logger(label: "test")
        logger.logLevel = ProcessInfo.processInfo.environment["TRAINQ_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }

    func makeEngine(random: RandomSource = .system) -> SubmissionEngine {
        SubmissionEngine(
            store: store, client: client, configuration: configuration, random: random,
            logger: Self.quietLogger())
    }

    /// Runs the engine's services for the time of `body`, then shuts them down gracefully.
    func running<Result: Sendable>(
        _ engine: SubmissionEngine, _ body: (SubmissionEngine) async throws -> Result
    ) async throws -> Result {
        let group = ServiceGroup(configuration: .init(services: engine.services, gracefulShutdownSignals: [], logger: Self.quietLogger()))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let result = try await body(engine)
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

    /// The seed's sample request (previous version 20, the simulator's version of job 10).
    static func sampleRequest(
        jobDesc: String? = "This is a ModelArts job", trainURL: String = "/usr/train/", preVersionID: Int64 = 20
    ) -> JSONValue {
        var root: [String: JSONValue] = [
            "config": .object([
                "worker_server_num": .integer(1),
                "app_url": .string("/usr/app/"),
                "boot_file_url": .string("/usr/app/boot.py"),
                "parameter": .array([
                    .object(["label": .string("learning_rate"), "value": .string("0.01")]),
                    .object(["label": .string("batch_size"), "value": .string("32")]),
                ]),
                "dataset_id": .string("38277e62-9e59-48f4-8d89-c8cf41622c24"),
                "dataset_version_id": .string("2ff0d6ba-c480-45ae-be41-09a8369bfc90"),
                "spec_id": .integer(1),
                "engine_id": .integer(1),
                "train_url": .string(trainURL),
                "log_url": .string("/usr/log/"),
                "pre_version_id": .integer(preVersionID),
            ])
        ]
        if let jobDesc { root["job_desc"] = .string(jobDesc) }
        return .object(root)
    }

    /// A previous version for `jobID`: 20 for the simulator's job 10; for other jobs, which the simulator
    /// makes on first use, a version id of their own (version ids are unique across jobs).
    static func previousVersion(of jobID: Int64) -> Int64 {
        jobID == 10 ? 20 : jobID * 1000
    }

    /// Stores a submission as the socket layer would (durably, `queued`) and returns its id.
    func submit(jobID: Int64 = 10, request: JSONValue? = nil) async throws -> String {
        let request = request ?? Self.sampleRequest(preVersionID: Self.previousVersion(of: jobID))
        let outcome = try await store.insert(
            NewSubmission(owner: Owner(uid: 1000, user: "alice"), projectID: Self.projectID, jobID: jobID, request: request))
        guard case .created(let view) = outcome else {
            Issue.record("insert did not create: \(outcome)")
            throw HarnessError.insertFailed
        }
        return view.id
    }

    /// Polls until the submission is in one of `states`; bounded by `timeout`.
    @discardableResult
    func waitFor(
        _ id: String, in states: Set<SubmissionState>, timeout: Duration = .seconds(20)
    ) async throws -> SubmissionView {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let view = try await store.submission(id: id), states.contains(view.state) { return view }
            try await Task.sleep(for: .milliseconds(20))
        }
        let last = try await store.submission(id: id)
        Issue.record("submission \(id) did not reach \(states.map(\.rawValue).sorted()); it is \(last?.state.rawValue ?? "missing"), reason \(last?.reason ?? "-")")
        throw HarnessError.timedOut
    }

    /// Polls until every submission is in one of `states`.
    func waitForAll(_ ids: [String], in states: Set<SubmissionState>, timeout: Duration = .seconds(60)) async throws -> [SubmissionView] {
        var views: [SubmissionView] = []
        for id in ids {
            views.append(try await waitFor(id, in: states, timeout: timeout))
        }
        return views
    }

    /// Versions the simulator created for `jobID` (beyond the scenario's own).
    func ledgerVersions(jobID: Int64 = 10) async -> [Ledger.Entry] {
        await simulator.ledger().versions.filter { $0.jobID == jobID }
    }

    enum HarnessError: Error {
        case insertFailed
        case timedOut
    }
}

extension AttemptView {
    /// The attempt's time on the wire, for overlap checks.
    var interval: (start: Date, end: Date)? {
        finishedAt.map { (startedAt, $0) }
    }
}

/// The largest number of intervals that overlap at one instant.
func maximumOverlap(_ intervals: [(start: Date, end: Date)]) -> Int {
    var points: [(Date, Int)] = []
    for interval in intervals {
        points.append((interval.start, 1))
        points.append((interval.end, -1))
    }
    // Ends before starts at the same instant: touching intervals do not overlap.
    points.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
    var current = 0
    var maximum = 0
    for point in points {
        current += point.1
        maximum = max(maximum, current)
    }
    return maximum
}
