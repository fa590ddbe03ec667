import Foundation
import Logging
import ModelArtsSimulator
import ServiceLifecycle
import Synchronization
import Testing
import TrainQAPI
import TrainQStore

@testable import TrainQEngine

extension EngineHarness {
    /// An engine whose tracker polls fast enough to see every status of a version at the simulator's time
    /// scale in the tests (the shortest phase lasts a quarter second or more).
    func makeTrackingEngine(
        minInterval: Duration = .milliseconds(20), maxInterval: Duration = .milliseconds(50), logger: Logger? = nil
    ) -> SubmissionEngine {
        SubmissionEngine(
            store: store, client: client, configuration: configuration,
            tracking: .init(minInterval: minInterval, maxInterval: maxInterval),
            logger: logger ?? Self.quietLogger())
    }

    /// Runs the engine's services, its tracker among them, for the time of `body`, then shuts them down.
    func runningTracked<Result: Sendable>(
        _ engine: SubmissionEngine, _ body: () async throws -> Result
    ) async throws -> Result {
        let group = ServiceGroup(
            configuration: .init(services: engine.services, gracefulShutdownSignals: [], logger: Self.quietLogger()))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let result = try await body()
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

    /// Polls until `condition` holds for the submission; bounded by `timeout`.
    @discardableResult
    func waitUntil(
        _ id: String, timeout: Duration = .seconds(30), _ what: String, _ condition: (SubmissionView) -> Bool
    ) async throws -> SubmissionView {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let view = try await store.submission(id: id), condition(view) { return view }
            try await Task.sleep(for: .milliseconds(10))
        }
        let last = try await store.submission(id: id)
        Issue.record("submission \(id) never \(what); it is \(last?.state.rawValue ?? "missing"), remote \(last?.remoteStatus?.code ?? -1)")
        throw HarnessError.timedOut
    }

    /// show + list requests the simulator has answered so far.
    func pollRequests() async -> Int {
        let requests = await simulator.ledger().requests
        return requests.show + requests.list
    }
}

extension SubmissionView {
    /// The remote status codes of the history, in order, each step once.
    var remoteCodeHistory: [Int] {
        var codes: [Int] = []
        for entry in history {
            guard let code = entry.remoteStatus?.code, codes.last != code else { continue }
            codes.append(code)
        }
        return codes
    }
}

/// Keeps every log message, so tests can check what was warned about and how often.
final class RecordedLogs: Sendable {
    private let entries = Mutex<[(Logger.Level, String)]>([])

    func logger() -> Logger {
        var logger = Logger(label: "recorded") { _ in RecordingLogHandler(logs: self) }
        logger.logLevel = .debug
        return logger
    }

    func record(_ level: Logger.Level, _ message: String) {
        entries.withLock { $0.append((level, message)) }
    }

    func count(_ level: Logger.Level, containing text: String) -> Int {
        entries.withLock { $0.filter { $0.0 == level && $0.1.contains(text) }.count }
    }
}

struct RecordingLogHandler: LogHandler {
    let logs: RecordedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        logs.record(event.level, "\(event.message)")
    }
}
