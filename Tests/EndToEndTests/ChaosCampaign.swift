import Foundation
import JSONTree
import Synchronization
import TrainQAPI

#if canImport(Glibc)
import Glibc
#endif

/// A chaos campaign with real processes: clients submit over several jobs while the simulator injects
/// faults and trainqd is killed with SIGKILL at random moments (during start-up, right after it became
/// ready while it recovers, and while it works) and started again on the same database. Then a last
/// daemon brings everything to an end and the evidence is gathered for `ChaosInvariantChecker`.
struct ChaosCampaign {
    /// When in a daemon's life it is killed.
    enum Moment: String, CaseIterable {
        /// Within 200 ms of starting, usually before it answers.
        case startUp = "start-up"
        /// Within 50 ms of answering: orphaned attempts are being reconciled.
        case recovery
        /// Anywhere in the next two seconds of work.
        case working
    }

    struct Outcome {
        var evidence: ChaosEvidence
        var figures: [(String, String)]
        /// Answers the clients got that the API does not promise (neither an acknowledgement nor a 503).
        var unexpectedAnswers: [String]
        var kills: Int
        var finalExitCode: Int32
    }

    let settings: ChaosSettings
    let directory: TestDirectory

    private var socketPath: String { directory.file("trainq.sock") }
    private var databasePath: String { directory.file("trainq.db") }

    func run() async throws -> Outcome {
        let started = ContinuousClock.now
        let simulator = try await SimulatorProcess(directory: directory, timeScale: settings.timeScale)
        defer { simulator.child.signal(SIGKILL) }
        let config = try simulator.daemonConfiguration(in: directory, extra: settings.daemonExtra)
        try await simulator.setFaults(settings.faults)
        let client = ChaosSocketClient(socketPath: socketPath)
        defer { Task { [client] in await client.shutdown() } }

        let submitting = ChaosFlag()
        let submitted = try await withThrowingTaskGroup(of: ClientResult.self) { group in
            group.addTask {
                let kills = try await killRepeatedly(config: config, client: client, submitting: submitting)
                return .kills(kills)
            }
            group.addTask {
                let result = await submitAll(client: client)
                submitting.lower()
                return result
            }
            var kills: KillRecord?
            var submissions: ClientResult?
            for try await result in group {
                if case .kills(let record) = result { kills = record } else { submissions = result }
            }
            return (kills ?? KillRecord(), submissions)
        }
        let (kills, submissionResult) = submitted
        guard case .submissions(let acknowledgements, let unexpected, let retries)? = submissionResult else {
            throw HarnessError("the submitting clients did not report")
        }
        let chaosEnded = ContinuousClock.now

        // The faults stop; one last daemon brings every submission to an end.
        try await simulator.clearFaults()
        let final = try start(config: config, name: "trainqd-final")
        try await waitUntilServing(final, client: client)
        let stored = try await settle(client: client)
        let settled = ContinuousClock.now
        final.signal(SIGTERM)
        let exitCode = await final.wait()
        let ledger = try await simulator.ledger()
        await simulator.stop()

        let requests = ledger["requests"]
        var figures: [(String, String)] = [
            ("campaign", settings.description),
            ("trainqd starts", "\(kills.starts + 1)"),
            ("kill -9", Moment.allCases.map { "\($0.rawValue) \(kills.byMoment[$0] ?? 0)" }.joined(separator: ", ")),
            ("client retries (daemon down or 503)", "\(retries)"),
            ("simulator requests (faults injected)", ["create", "list", "show", "job_create", "job_search", "job_show", "faults"].map { "\($0) \(requests?[$0]?.int64Value ?? 0)" }.joined(separator: ", ")),
            ("chaos phase", "\(seconds(chaosEnded - started)) s"),
            ("settling", "\(seconds(settled - chaosEnded)) s"),
        ]
        figures.append(("final trainqd exit code", "\(exitCode)"))
        return Outcome(
            evidence: ChaosEvidence(acknowledgements: acknowledgements, stored: stored, ledger: ChaosEvidence.ledgerVersions(ledger)),
            figures: figures, unexpectedAnswers: unexpected,
            kills: kills.byMoment.values.reduce(0, +), finalExitCode: exitCode
        )
    }

    // MARK: - Clients

    private enum ClientResult: Sendable {
        case kills(KillRecord)
        case submissions([ChaosEvidence.Acknowledgement], unexpected: [String], retries: Int)
    }

    /// Every submission is sent until it is acknowledged, with the same idempotency key each time, so an
    /// acknowledgement lost with a killed daemon is asked for again instead of submitted twice.
    private func submitAll(client: ChaosSocketClient) async -> ClientResult {
        let next = ChaosCounter()
        let settings = self.settings
        return await withTaskGroup(of: ([ChaosEvidence.Acknowledgement], [String], Int).self) { group in
            for _ in 0..<settings.clients {
                group.addTask {
                    var acknowledgements: [ChaosEvidence.Acknowledgement] = []
                    var unexpected: [String] = []
                    var retries = 0
                    while true {
                        let index = next.take()
                        guard index < settings.submissions else { break }
                        let job = Int64(10 + index % settings.jobs)
                        let key = "chaos-\(settings.seed)-\(index)"
                        let body = settings.isV2(index)
                            ? ChaosRequestBody.trainingJob(description: "chaos \(index)")
                            : ChaosRequestBody.submission(job: job, previous: ChaosRequestBody.previousVersion(of: job), description: "chaos \(index)")
                        let result = await submitOne(client: client, body: body, key: key)
                        retries += result.retries
                        if let id = result.id { acknowledgements.append(.init(key: key, id: id)) }
                        unexpected += result.unexpected
                        // Ask once more for an acknowledged key: the same id must come back.
                        if result.id != nil, index % 5 == 0 {
                            let again = await submitOne(client: client, body: body, key: key)
                            if let replayed = again.id { acknowledgements.append(.init(key: key, id: replayed)) }
                        }
                    }
                    return (acknowledgements, unexpected, retries)
                }
            }
            var acknowledgements: [ChaosEvidence.Acknowledgement] = []
            var unexpected: [String] = []
            var retries = 0
            for await (acknowledged, odd, tried) in group {
                acknowledgements += acknowledged
                unexpected += odd
                retries += tried
            }
            return .submissions(acknowledgements, unexpected: unexpected, retries: retries)
        }
    }

    private func submitOne(client: ChaosSocketClient, body: Data, key: String) async -> (id: String?, unexpected: [String], retries: Int) {
        var unexpected: [String] = []
        let deadline = ContinuousClock.now + .seconds(120)
        var retries = 0
        while ContinuousClock.now < deadline {
            do {
                let reply = try await client.send("POST", "/v1/submissions", body: body, headers: [("Idempotency-Key", key)])
                switch reply.status {
                case 200, 202:
                    let view = try APICoding.decoder().decode(SubmissionView.self, from: reply.body)
                    return (view.id, unexpected, retries)
                case 503:
                    break
                default:
                    unexpected.append("\(key): \(reply.status) \(reply.text.prefix(300))")
                    return (nil, unexpected, retries)
                }
            } catch {
                // The daemon is down or was killed mid-request: nothing was promised; ask again.
            }
            retries += 1
            try? await Task.sleep(for: .milliseconds(50))
        }
        unexpected.append("\(key): never acknowledged within 120 s")
        return (nil, unexpected, retries)
    }

    // MARK: - The killer

    struct KillRecord: Sendable {
        var starts = 0
        var byMoment: [Moment: Int] = [:]
    }

    private func killRepeatedly(config: String, client: ChaosSocketClient, submitting: ChaosFlag) async throws -> KillRecord {
        var random = ChaosRandom(seed: settings.seed)
        var record = KillRecord()
        var killed = 0
        while killed < settings.kills || submitting.isRaised {
            record.starts += 1
            let daemon = try start(config: config, name: "trainqd-\(record.starts)")
            guard killed < settings.kills else {
                // Enough kills: let this one serve the remaining clients, then end it like the others.
                try await waitUntilServing(daemon, client: client)
                while submitting.isRaised { try await Task.sleep(for: .milliseconds(50)) }
                daemon.signal(SIGKILL)
                await daemon.wait()
                record.byMoment[.working, default: 0] += 1
                break
            }
            let moment = Moment.allCases.randomElement(using: &random) ?? .working
            switch moment {
            case .startUp:
                try await Task.sleep(for: .milliseconds(Int.random(in: 0..<200, using: &random)))
            case .recovery:
                try await waitUntilServing(daemon, client: client)
                try await Task.sleep(for: .milliseconds(Int.random(in: 0..<50, using: &random)))
            case .working:
                try await waitUntilServing(daemon, client: client)
                try await Task.sleep(for: .milliseconds(Int.random(in: 100..<2000, using: &random)))
            }
            guard daemon.isRunning else {
                throw HarnessError("trainqd \(record.starts) ended by itself:\n\(daemon.stderr.suffix(2000))")
            }
            daemon.signal(SIGKILL)
            await daemon.wait()
            record.byMoment[moment, default: 0] += 1
            killed += 1
        }
        return record
    }

    // MARK: - Daemons

    private func start(config: String, name: String) throws -> ChildProcess {
        try ChildProcess(
            BuiltProducts.path("trainqd"),
            ["--socket", socketPath, "--database", databasePath, "--log-level", "info", "--config", config],
            directory: directory, name: name
        )
    }

    private func waitUntilServing(_ daemon: ChildProcess, client: ChaosSocketClient) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if await client.isServing() { return }
            guard daemon.isRunning else { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw HarnessError("trainqd did not start serving:\n\(daemon.stderr.suffix(2000))")
    }

    /// Waits until every stored submission is at an end or needs a person, and returns them all.
    private func settle(client: ChaosSocketClient) async throws -> [SubmissionView] {
        let deadline = ContinuousClock.now + .seconds(settings.settleSeconds)
        var stored: [SubmissionView] = []
        while ContinuousClock.now < deadline {
            stored = try await ChaosListing.all(client: client)
            if stored.allSatisfy({ $0.state.isTerminal || $0.state == .needsAttention }) { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        return stored
    }

    private func seconds(_ duration: Duration) -> String {
        String(format: "%.1f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}

/// Raised while the clients still submit; the killer keeps going until it is lowered.
final class ChaosFlag: Sendable {
    private let raised = Atomic<Bool>(true)
    var isRaised: Bool { raised.load(ordering: .sequentiallyConsistent) }
    func lower() { raised.store(false, ordering: .sequentiallyConsistent) }
}

/// Hands out 0, 1, 2, ... to concurrent clients.
final class ChaosCounter: Sendable {
    private let value = Atomic<Int>(0)
    func take() -> Int { value.add(1, ordering: .relaxed).oldValue }
}

/// Reads every submission through `GET /v1/submissions`, page by page.
enum ChaosListing {
    static func all(client: ChaosSocketClient, query: String = "") async throws -> [SubmissionView] {
        var submissions: [SubmissionView] = []
        var cursor: String?
        for _ in 0..<100_000 {
            var path = "/v1/submissions?limit=500" + query
            if let cursor {
                var allowed = CharacterSet.alphanumerics
                allowed.insert(charactersIn: "-._~")
                path += "&cursor=" + (cursor.addingPercentEncoding(withAllowedCharacters: allowed) ?? cursor)
            }
            let reply = try await client.send("GET", path)
            guard reply.status == 200 else { throw HarnessError("listing answered \(reply.status): \(reply.text)") }
            let page = try APICoding.decoder().decode(SubmissionList.self, from: reply.body)
            submissions += page.submissions
            guard let next = page.nextCursor else { break }
            cursor = next
        }
        return submissions
    }
}
