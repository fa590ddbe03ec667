import Foundation
import JSONTree
import Synchronization
import TrainQAPI
import TrainQPostgres

#if canImport(Glibc)
import Glibc
#endif

/// A chaos campaign with real processes: clients submit over several jobs while the simulator injects
/// faults and trainqd is killed with SIGKILL at random moments (during start-up, right after it became
/// ready while it recovers, and while it works) and started again on the same database. Then a last
/// daemon brings everything to an end and the evidence is gathered for `ChaosInvariantChecker`.
///
/// On a shared PostgreSQL database (`settings.store`), `settings.daemons` daemons run at once, each with
/// its own socket and `instance.name`; the clients go to any of them and move to the next when one is
/// down. A daemon may also be kept down past its lease (the others take its jobs over), and the
/// database server is crashed and restarted once midway.
struct ChaosCampaign {
    /// When in a daemon's life it is killed.
    enum Moment: String, CaseIterable {
        /// Within 200 ms of starting, usually before it answers.
        case startUp = "start-up"
        /// Within 50 ms of answering: orphaned attempts are being reconciled.
        case recovery
        /// Anywhere in the next two seconds of work.
        case working
        /// Killed and kept down past its lease, so another daemon takes its jobs over (shared database).
        case away
    }

    struct Outcome {
        var evidence: ChaosEvidence
        var figures: [(String, String)]
        /// Answers the clients got that the API does not promise (neither an acknowledgement nor a 503),
        /// and daemons whose list differs from the first daemon's.
        var unexpectedAnswers: [String]
        var kills: Int
        /// The last daemons' exit codes, one per slot.
        var finalExitCodes: [Int32]
        var databaseRestarts: Int
    }

    let settings: ChaosSettings
    let directory: TestDirectory
    /// Why clients had to ask again, by daemon and answer.
    private let retryLog = ChaosTally()

    private var slots: Range<Int> { 0..<max(1, settings.daemons) }
    private func socketPath(_ slot: Int) -> String { directory.file(slot == 0 ? "trainq.sock" : "trainq-\(slot).sock") }
    private var databasePath: String { directory.file("trainq.db") }

    func run() async throws -> Outcome {
        let database = settings.store == .postgres ? try await PrivatePostgres() : nil
        do {
            let outcome = try await run(database: database)
            await database?.stop()
            return outcome
        } catch {
            await database?.stop()
            throw error
        }
    }

    private func run(database: PrivatePostgres?) async throws -> Outcome {
        let started = ContinuousClock.now
        let simulator = try await SimulatorProcess(directory: directory, timeScale: settings.timeScale)
        defer { simulator.child.signal(SIGKILL) }
        let config = try configuration(simulator: simulator, database: database)
        try await simulator.setFaults(settings.faults)
        let clients = slots.map { ChaosSocketClient(socketPath: socketPath($0)) }
        defer { Task { [clients] in for client in clients { await client.shutdown() } } }

        let submitting = ChaosFlag()
        let submitted = try await withThrowingTaskGroup(of: ClientResult.self) { group in
            group.addTask {
                let kills = try await killRepeatedly(config: config, clients: clients, submitting: submitting, database: database)
                return .kills(kills)
            }
            group.addTask {
                let result = await submitAll(clients: clients)
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
        guard case .submissions(let acknowledgements, var unexpected, let retries)? = submissionResult else {
            throw HarnessError("the submitting clients did not report")
        }
        let chaosEnded = ContinuousClock.now

        // The faults stop; the last daemons (one per slot) bring every submission to an end.
        try await simulator.clearFaults()
        var finals: [ChildProcess] = []
        for slot in slots {
            let final = try start(config: config, slot: slot, name: "trainqd-final-\(slot)")
            finals.append(final)
            try await waitUntilServing(final, client: clients[slot])
        }
        let stored = try await settle(client: clients[0])
        let settled = ContinuousClock.now
        // Every daemon shows every submission, whichever daemon took it.
        var listed: [String] = []
        for slot in slots.dropFirst() {
            let seen = try await ChaosListing.all(client: clients[slot])
            listed.append("\(seen.count)")
            if Set(seen.map(\.id)) != Set(stored.map(\.id)) {
                unexpected.append("daemon \(slot) lists \(seen.count) submissions, daemon 0 lists \(stored.count)")
            }
        }
        var exitCodes: [Int32] = []
        for final in finals {
            final.signal(SIGTERM)
            exitCodes.append(await final.wait())
        }
        let ledger = try await simulator.ledger()
        await simulator.stop()

        let requests = ledger["requests"]
        var figures: [(String, String)] = [
            ("campaign", settings.description),
            ("trainqd starts", "\(kills.starts + finals.count)"),
            ("kill -9", Moment.allCases.map { "\($0.rawValue) \(kills.byMoment[$0] ?? 0)" }.joined(separator: ", ")),
            ("client retries (daemon down or 503)", "\(retries): " + retryLog.summary),
            ("simulator requests (faults injected)", ["create", "list", "show", "job_create", "job_search", "job_show", "faults"].map { "\($0) \(requests?[$0]?.int64Value ?? 0)" }.joined(separator: ", ")),
            ("chaos phase", "\(seconds(chaosEnded - started)) s"),
            ("settling", "\(seconds(settled - chaosEnded)) s"),
        ]
        if database != nil {
            figures.append(("database server crashed and restarted", "\(kills.databaseRestarts)"))
            figures.append(("submissions listed by each daemon", ([stored.count].map(String.init) + listed).joined(separator: ", ")))
            figures.append(("submissions taken by", Dictionary(grouping: stored, by: { $0.takenBy ?? "?" }).sorted { $0.key < $1.key }
                .map { "\($0.key) \($0.value.count)" }.joined(separator: ", ")))
        }
        figures.append(("final trainqd exit codes", exitCodes.map(String.init).joined(separator: ", ")))
        return Outcome(
            evidence: ChaosEvidence(acknowledgements: acknowledgements, stored: stored, ledger: ChaosEvidence.ledgerVersions(ledger)),
            figures: figures, unexpectedAnswers: unexpected,
            kills: kills.byMoment.values.reduce(0, +), finalExitCodes: exitCodes, databaseRestarts: kills.databaseRestarts
        )
    }

    /// The daemons' configuration: the simulator, and on PostgreSQL the shared database (short ModelArts
    /// timeouts, so the short lease is a valid one).
    private func configuration(simulator: SimulatorProcess, database: PrivatePostgres?) throws -> String {
        guard let database else { return try simulator.daemonConfiguration(in: directory, extra: settings.daemonExtra()) }
        let passwordFile = directory.file("database-password")
        try (database.settings.password ?? "").write(toFile: passwordFile, atomically: true, encoding: .utf8)
        return try SimulatorProcess.daemonConfiguration(
            endpoint: simulator.endpoint, in: directory, requestTimeout: "2s", modelArtsExtra: "\n  connect_timeout: 1s",
            extra: settings.daemonExtra(databaseSection: settings.databaseSection(url: "\(database.settings.url)", passwordFile: passwordFile)))
    }

    // MARK: - Clients

    private enum ClientResult: Sendable {
        case kills(KillRecord)
        case submissions([ChaosEvidence.Acknowledgement], unexpected: [String], retries: Int)
    }

    /// Every submission is sent until it is acknowledged, with the same idempotency key each time, so an
    /// acknowledgement lost with a killed daemon is asked for again instead of submitted twice.
    private func submitAll(clients: [ChaosSocketClient]) async -> ClientResult {
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
                        let result = await submitOne(clients: clients, first: index, body: body, key: key)
                        retries += result.retries
                        if let id = result.id { acknowledgements.append(.init(key: key, id: id)) }
                        unexpected += result.unexpected
                        // Ask once more for an acknowledged key (through another daemon when there are
                        // several): the same id must come back.
                        if result.id != nil, index % 5 == 0 {
                            let again = await submitOne(clients: clients, first: index + 1, body: body, key: key)
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

    /// Sends through daemon `first` (modulo their number), and on to the next daemon while one is down
    /// or answers 503.
    private func submitOne(
        clients: [ChaosSocketClient], first: Int, body: Data, key: String
    ) async -> (id: String?, unexpected: [String], retries: Int) {
        var unexpected: [String] = []
        let deadline = ContinuousClock.now + .seconds(120)
        var retries = 0
        var slot = first % clients.count
        while ContinuousClock.now < deadline {
            do {
                let reply = try await clients[slot].send("POST", "/v1/submissions", body: body, headers: [("Idempotency-Key", key)])
                switch reply.status {
                case 200, 202:
                    let view = try APICoding.decoder().decode(SubmissionView.self, from: reply.body)
                    return (view.id, unexpected, retries)
                case 503:
                    retryLog.note("daemon \(slot): 503 \((try? APICoding.decoder().decode(ErrorEnvelope.self, from: reply.body))?.error.kind.rawValue ?? "?")")
                default:
                    unexpected.append("\(key): \(reply.status) \(reply.text.prefix(300))")
                    return (nil, unexpected, retries)
                }
            } catch {
                // The daemon is down or was killed mid-request: nothing was promised; ask again.
                retryLog.note("daemon \(slot): no answer")
            }
            retries += 1
            slot = (slot + 1) % clients.count
            try? await Task.sleep(for: .milliseconds(50))
        }
        unexpected.append("\(key): never acknowledged within 120 s")
        return (nil, unexpected, retries)
    }

    // MARK: - The killer

    struct KillRecord: Sendable {
        var starts = 0
        var byMoment: [Moment: Int] = [:]
        var databaseRestarts = 0
    }

    /// Kills daemons until `settings.kills` kills are done and the clients are finished. With one daemon,
    /// each round starts it, waits for the round's moment and kills it. With several, every slot runs a
    /// daemon all along: a round kills the one in the next slot (which was working), starts its successor,
    /// kills that at the round's moment and leaves a third one running.
    private func killRepeatedly(
        config: String, clients: [ChaosSocketClient], submitting: ChaosFlag, database: PrivatePostgres?
    ) async throws -> KillRecord {
        var random = ChaosRandom(seed: settings.seed)
        var record = KillRecord()
        var killed = 0
        var rounds = 0
        let shared = slots.count > 1
        let moments = Moment.allCases.filter { shared || $0 != .away }
        var running: [ChildProcess?] = Array(repeating: nil, count: slots.count)
        func launch(_ slot: Int) throws -> ChildProcess {
            record.starts += 1
            let daemon = try start(config: config, slot: slot, name: "trainqd-\(slot)-\(record.starts)")
            running[slot] = daemon
            return daemon
        }
        func killDaemon(_ slot: Int, at moment: Moment) async throws {
            guard let daemon = running[slot] else { return }
            guard daemon.isRunning else {
                throw HarnessError("trainqd in slot \(slot) ended by itself:\n\(daemon.stderr.suffix(2000))")
            }
            daemon.signal(SIGKILL)
            await daemon.wait()
            running[slot] = nil
            record.byMoment[moment, default: 0] += 1
            killed += 1
        }
        if shared {
            for slot in slots { try await waitUntilServing(try launch(slot), client: clients[slot]) }
        }
        while killed < settings.kills || submitting.isRaised {
            // Once midway, the database server crashes (open transactions are cut off) and comes back.
            if let database, record.databaseRestarts == 0, killed >= settings.kills / 2 {
                for slot in slots { if let daemon = running[slot] { try await waitUntilServing(daemon, client: clients[slot]) } }
                try await database.crash()
                try await Task.sleep(for: .milliseconds(Int.random(in: 200..<1500, using: &random)))
                try await database.restart()
                record.databaseRestarts += 1
            }
            // Slots in turn, so each daemon is killed as often as the others.
            let slot = rounds % slots.count
            rounds += 1
            guard killed < settings.kills else {
                // Enough kills: let the daemons serve the remaining clients; they end below.
                let daemon = try running[slot] ?? launch(slot)
                try await waitUntilServing(daemon, client: clients[slot])
                while submitting.isRaised { try await Task.sleep(for: .milliseconds(50)) }
                break
            }
            let moment = moments.randomElement(using: &random) ?? .working
            if moment == .away {
                try await killDaemon(slot, at: .away)
                try await Task.sleep(for: settings.lease + .seconds(1))
                try await waitUntilServing(try launch(slot), client: clients[slot])
                continue
            }
            try await killDaemon(slot, at: .working)
            let daemon = try launch(slot)
            switch moment {
            case .startUp:
                try await Task.sleep(for: .milliseconds(Int.random(in: 0..<200, using: &random)))
            case .recovery:
                try await waitUntilServing(daemon, client: clients[slot])
                try await Task.sleep(for: .milliseconds(Int.random(in: 0..<50, using: &random)))
            case .working, .away:
                try await waitUntilServing(daemon, client: clients[slot])
                try await Task.sleep(for: .milliseconds(Int.random(in: 100..<2000, using: &random)))
            }
            try await killDaemon(slot, at: moment)
            if shared { try await waitUntilServing(try launch(slot), client: clients[slot]) }
        }
        for slot in slots { try await killDaemon(slot, at: .working) }
        return record
    }

    // MARK: - Daemons

    private func start(config: String, slot: Int, name: String) throws -> ChildProcess {
        var arguments = ["--socket", socketPath(slot), "--log-level", "info", "--config", config]
        if settings.store == .sqlite { arguments += ["--database", databasePath] }
        return try ChildProcess(
            BuiltProducts.path("trainqd"), arguments,
            environment: settings.store == .postgres ? ["TRAINQ_INSTANCE_NAME": "chaos-\(slot)"] : [:],
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

/// Counts named occurrences from concurrent clients.
final class ChaosTally: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func note(_ name: String) { counts.withLock { $0[name, default: 0] += 1 } }
    var summary: String { counts.withLock { $0.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") } }
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
