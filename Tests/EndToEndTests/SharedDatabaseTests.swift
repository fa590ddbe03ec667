import Foundation
import JSONTree
import Testing
import TrainQAPI
import TrainQPostgres
import TrainQTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Issue #9: several `trainqd` on one PostgreSQL database. Real daemons, a real server, the simulator
/// losing answers; daemons killed with SIGKILL while their creates are in flight.
@Suite(.serialized, .enabled(if: PostgresTestServer.shouldRun)) struct SharedDatabaseTests {
    /// The daemons of one test: each with its own directory, socket and `instance.name`, one database.
    struct Cluster {
        let simulator: SimulatorProcess
        let config: String
        var daemons: [String: DaemonProcess] = [:]
        /// Each daemon's directory, kept while the test runs (a directory is removed when released).
        var directories: [String: TestDirectory] = [:]

        /// A configuration for the simulator and the database: short timeouts so a lease (6 s) outlasts any
        /// create, short retry and reconcile waits.
        init(simulator: SimulatorProcess, settings: PostgresConnectionSettings, directory: TestDirectory) throws {
            self.simulator = simulator
            let passwordFile = directory.file("database-password")
            try (settings.password ?? "").write(toFile: passwordFile, atomically: true, encoding: .utf8)
            config = try SimulatorProcess.daemonConfiguration(
                endpoint: simulator.endpoint, in: directory, requestTimeout: "2s", modelArtsExtra: "\n  connect_timeout: 1s",
                extra: """
                    database:
                      url: \(settings.url)
                      password_file: \(passwordFile)
                      lease: 6s
                      timeout: 2s
                    submit:
                      max_attempts: 100
                      base_delay: 20ms
                      max_delay: 300ms
                      reconcile_waits: [200ms, 500ms, 1s]
                    track:
                      min_interval: 100ms
                      max_interval: 500ms
                    """)
        }

        mutating func start(_ name: String) async throws {
            let directory = try directories[name] ?? TestDirectory()
            directories[name] = directory
            daemons[name] = try await DaemonProcess(
                directory: directory, extraArguments: ["--config", config],
                environment: ["TRAINQ_INSTANCE_NAME": name], name: "trainqd-\(name)")
        }

        func stopAll() async {
            for daemon in daemons.values { _ = await daemon.stop() }
        }
    }

    @Test func threeDaemonsShareOneQueueAndSurviveTwoKills() async throws {
        try await PostgresTestServer.withFreshDatabase { settings in
            let directory = try TestDirectory()
            let simulator = try await SimulatorProcess(directory: directory, timeScale: 240)
            defer { simulator.child.signal(SIGKILL) }
            var cluster = try Cluster(simulator: simulator, settings: settings, directory: directory)
            for name in ["a", "b", "c"] { try await cluster.start(name) }
            try await simulator.setFaults("""
                {"faults": [{"on": "create", "kind": "lost_response", "probability": 0.2}]}
                """)

            let names = ["a", "b", "c"]
            let clients = Dictionary(uniqueKeysWithValues: names.map { name in
                (name, ChaosSocketClient(socketPath: cluster.daemons[name]!.socketPath))
            })
            defer { Task { for client in clients.values { await client.shutdown() } } }
            let jobs: [Int64] = [10, 11, 12, 13, 14, 15]
            var acknowledgements: [ChaosEvidence.Acknowledgement] = []
            var takenThrough: [String: String] = [:]
            var alive = Set(names)
            for index in 0..<300 {
                // Two daemons die with creates in flight: b after a third, c after two thirds.
                if index == 100 || index == 200 {
                    let victim = index == 100 ? "b" : "c"
                    await cluster.daemons[victim]!.crash()
                    alive.remove(victim)
                }
                let through = names.filter(alive.contains)[index % alive.count]
                let job = jobs[index % jobs.count]
                let key = "shared-\(index)"
                let reply = try await clients[through]!.send(
                    "POST", "/v1/submissions",
                    body: ChaosRequestBody.submission(job: job, previous: ChaosRequestBody.previousVersion(of: job), description: "s\(index)"),
                    headers: [("Idempotency-Key", key)])
                #expect(reply.status == 202, "\(reply.text)")
                let view = try APICoding.decoder().decode(SubmissionView.self, from: reply.body)
                acknowledgements.append(.init(key: key, id: view.id))
                takenThrough[view.id] = through
            }

            // The survivor takes over the dead daemons' jobs once their leases expire, and finishes everything.
            let survivor = clients["a"]!
            var stored: [SubmissionView] = []
            let deadline = ContinuousClock.now + .seconds(180)
            while ContinuousClock.now < deadline {
                let reply = try await survivor.send("GET", "/v1/submissions?limit=500")
                stored = try APICoding.decoder().decode(SubmissionList.self, from: reply.body).submissions
                if stored.count == 300, stored.allSatisfy({ $0.state.isTerminal || $0.state == .needsAttention }) { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            try await simulator.clearFaults()
            if !stored.allSatisfy({ $0.state.isTerminal }) {
                let lines = cluster.daemons["a"]!.child.stderr.split(separator: "\n")
                    .filter { $0.contains("lease") || $0.contains("WARNING") || $0.contains("ERROR") }
                Issue.record("daemon a did not finish; its lease lines:\n\(lines.suffix(30).joined(separator: "\n"))")
            }

            // The two dead daemons come back: every daemon lists all 300, each with the daemon that took it.
            for name in ["b", "c"] { try await cluster.start(name) }
            for name in names {
                let client = ChaosSocketClient(socketPath: cluster.daemons[name]!.socketPath)
                let reply = try await client.send("GET", "/v1/submissions?limit=500")
                await client.shutdown()
                let listed = try APICoding.decoder().decode(SubmissionList.self, from: reply.body).submissions
                #expect(listed.count == 300, "daemon \(name) lists \(listed.count)")
                let misnamed = listed.filter { $0.takenBy != takenThrough[$0.id] }
                #expect(misnamed.isEmpty, "daemon \(name): taken_by differs from the daemon that took \(misnamed.count)")
            }

            let ledger = ChaosEvidence.ledgerVersions(try await simulator.ledger())
            let verdict = ChaosInvariantChecker().check(
                ChaosEvidence(acknowledgements: acknowledgements, stored: stored, ledger: ledger))
            #expect(verdict.passed, "\(verdict.violations.prefix(20).joined(separator: "\n"))")
            #expect(stored.filter { $0.state == .succeeded }.count == 300, "\(Dictionary(grouping: stored, by: \.state).mapValues(\.count))")
            #expect(ledger.filter(\.responseLost).count > 0, "the simulator lost no answer: the test proved less than it claims")
            await cluster.stopAll()
            await simulator.stop()
        }
    }

    /// Two live daemons under one `instance.name` would take each other's leases as their own: the second
    /// is refused at start (exit 78, naming the key) and the first goes on.
    @Test func aSecondDaemonUnderALiveNameIsRefused() async throws {
        try await PostgresTestServer.withFreshDatabase { settings in
            let directory = try TestDirectory()
            let simulator = try await SimulatorProcess(directory: directory, timeScale: 240)
            defer { simulator.child.signal(SIGKILL) }
            var cluster = try Cluster(simulator: simulator, settings: settings, directory: directory)
            try await cluster.start("twin")
            let other = try TestDirectory()
            let second = try ChildProcess(
                BuiltProducts.path("trainqd"),
                ["--socket", other.file("trainq.sock"), "--config", cluster.config],
                environment: ["TRAINQ_INSTANCE_NAME": "twin"], directory: other, name: "trainqd-twin-2")
            #expect(await second.wait() == 78, "\(second.stderr)")
            #expect(second.stderr.contains("configuration key 'instance.name'"), "\(second.stderr)")
            #expect(cluster.daemons["twin"]!.child.isRunning)
            await cluster.stopAll()
            await simulator.stop()
        }
    }

    /// The database stops mid-work: intake answers 503 `store_unavailable` and acknowledges nothing; once it
    /// is back, the same daemon takes work again without a restart.
    @Test func aStoppedDatabaseAnswers503AndTheSameDaemonGoesOn() async throws {
        let server = try await PrivatePostgres()
        let directory = try TestDirectory()
        let simulator = try await SimulatorProcess(directory: directory, timeScale: 240)
        defer { simulator.child.signal(SIGKILL) }
        var cluster = try Cluster(simulator: simulator, settings: server.settings, directory: directory)
        try await cluster.start("solo")
        let daemon = cluster.daemons["solo"]!
        let client = ChaosSocketClient(socketPath: daemon.socketPath)
        func submit(_ index: Int) async throws -> ChaosSocketClient.Reply {
            try await client.send(
                "POST", "/v1/submissions",
                body: ChaosRequestBody.submission(job: 10, previous: 20, description: "down-\(index)"),
                headers: [("Idempotency-Key", "down-\(index)")])
        }
        func waitForSuccess(_ id: String) async throws -> SubmissionState? {
            for _ in 0..<120 {
                let reply = try await client.send("GET", "/v1/submissions/\(id)")
                if reply.status == 200, let view = try? APICoding.decoder().decode(SubmissionView.self, from: reply.body),
                    view.state.isTerminal
                { return view.state }
                try await Task.sleep(for: .milliseconds(250))
            }
            return nil
        }

        let before = try await submit(0)
        #expect(before.status == 202, "\(before.text)")
        let first = try APICoding.decoder().decode(SubmissionView.self, from: before.body)
        #expect(try await waitForSuccess(first.id) == .succeeded)

        try await server.crash()
        let refused = try await submit(1)
        #expect(refused.status == 503, "\(refused.text)")
        let envelope = try? APICoding.decoder().decode(ErrorEnvelope.self, from: refused.body)
        #expect(envelope?.error.kind == .storeUnavailable, "\(refused.text)")
        #expect(daemon.child.isRunning)

        try await server.restart()
        var accepted: ChaosSocketClient.Reply?
        for _ in 0..<60 {
            let reply = try await submit(1)
            if reply.status == 202 || reply.status == 200 {
                accepted = reply
                break
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        let again = try #require(accepted, "the daemon never took work again after the database came back")
        let second = try APICoding.decoder().decode(SubmissionView.self, from: again.body)
        #expect(try await waitForSuccess(second.id) == .succeeded)
        let ledger = ChaosEvidence.ledgerVersions(try await simulator.ledger())
        #expect(ledger.count == 2, "one version per acknowledged submission: \(ledger.map(\.versionID))")
        await client.shutdown()
        await cluster.stopAll()
        await simulator.stop()
        await server.stop()
    }
}
