import Foundation
import JSONTree
import Testing
import TrainQAPI

#if canImport(Glibc)
import Glibc
#endif

/// v2 training jobs through real processes: `trainq` → `trainqd` → `modelarts-sim`, and the simulator's
/// ledger as the judge of how many jobs were created and with what body.
@Suite(.serialized) struct TrainingJobEndToEndTests {
    /// `examples/v2-job.json`: the body the official SDK built (the simulator tests replay it byte for byte).
    static var exampleJob: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/v2-job.json").path
    }

    static let fastTracking = """
        submit:
          max_attempts: 50
          base_delay: 20ms
          max_delay: 200ms
        track:
          min_interval: 100ms
          max_interval: 400ms
        """

    /// A directory, a simulator and a trainqd configuration for it that polls fast.
    static func simulated() async throws -> (TestDirectory, SimulatorProcess, String) {
        let directory = try TestDirectory()
        let simulator = try await SimulatorProcess(directory: directory)
        return (directory, simulator, try simulator.daemonConfiguration(in: directory, extra: fastTracking))
    }

    static func submissions(_ daemon: DaemonProcess) async throws -> [SubmissionView] {
        let listed = try await CLI.run(["list", "--json", "--socket", daemon.socketPath])
        return try APICoding.decoder().decode(SubmissionList.self, from: Data(listed.stdout.utf8)).submissions
    }

    static func jobs(_ simulator: SimulatorProcess) async throws -> [JSONValue] {
        try await simulator.ledger()["training_jobs"]?.arrayValue ?? []
    }

    /// Waits (bounded) until every submission has ended.
    static func settled(_ daemon: DaemonProcess, count: Int) async throws -> [SubmissionView] {
        let deadline = ContinuousClock.now + .seconds(90)
        var submissions: [SubmissionView] = []
        while ContinuousClock.now < deadline {
            submissions = try await Self.submissions(daemon)
            if submissions.count == count, submissions.allSatisfy({ $0.state.isTerminal || $0.state == .needsAttention }) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        return submissions
    }

    @Test func theSDKsBodyBecomesExactlyOneJobThatIsFollowedToCompleted() async throws {
        let (directory, simulator, config) = try await Self.simulated()
        defer { simulator.child.signal(SIGKILL) }
        let daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config])

        let submitted = try await CLI.run(["submit", "--api", "v2", Self.exampleJob, "--wait", "--socket", daemon.socketPath])
        #expect(submitted.code == 0, "\(submitted.stdout)\(submitted.stderr)")
        #expect(submitted.stdout.contains("Completed"), "\(submitted.stdout)")

        let listed = try #require(try await Self.submissions(daemon).first)
        let shownJSON = try await CLI.run(["show", listed.id, "--json", "--socket", daemon.socketPath])
        let submission = try APICoding.decoder().decode(SubmissionView.self, from: Data(shownJSON.stdout.utf8))
        #expect(submission.state == .succeeded)
        #expect(submission.api == .v2)
        // Terminal phases are read twice before the submission ends.
        #expect(submission.history.filter { $0.remoteStatus?.name == "Completed" }.count == 2)
        let jobs = try await Self.jobs(simulator)
        #expect(jobs.count == 1)
        let job = try #require(jobs.first)
        #expect(job["id"]?.stringValue == submission.trainingJobID)
        #expect(job["name"]?.stringValue == submission.trainingJobName)
        // The body sent is the example's, under trainq's name.
        var expected = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: Self.exampleJob))).objectValue ?? [:]
        var metadata = expected["metadata"]?.objectValue ?? [:]
        metadata["name"] = job["name"]
        expected["metadata"] = .object(metadata)
        #expect(job["body"] == .object(expected))

        let shown = try await CLI.run(["show", submission.id, "--socket", daemon.socketPath])
        #expect(shown.stdout.contains("v2 job:") && shown.stdout.contains(submission.trainingJobID ?? "?"), "\(shown.stdout)")
        #expect(await daemon.stop() == 0)
    }

    @Test func lostAnswersAndAKilledDaemonStillMakeOneJobPerSubmission() async throws {
        let (directory, simulator, config) = try await Self.simulated()
        defer { simulator.child.signal(SIGKILL) }
        // Every create succeeds at ModelArts, but the first three answers never arrive; creates are slow,
        // so the SIGKILL below lands while one is in flight.
        try await simulator.setFaults("""
            {"faults": [
              {"on": "job_create", "kind": "lost_response", "count": 3},
              {"on": "job_create", "kind": "delay", "delay_ms": 400}
            ]}
            """)
        var daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config])
        var accepted: [String] = []
        for index in 0..<4 {
            let result = try await CLI.run([
                "submit", "--api", "v2", Self.exampleJob, "--set", "algorithm.parameters.epochs=\(index + 1)", "--socket", daemon.socketPath,
            ])
            #expect(result.code == 0, "\(result.stderr)")
            if let id = result.stdout.split(separator: " ").dropFirst().first { accepted.append(String(id)) }
        }
        try await Task.sleep(for: .milliseconds(200))
        await daemon.crash()
        daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config], name: "trainqd-again")

        let final = try await Self.settled(daemon, count: accepted.count)
        #expect(await daemon.stop() == 0)
        #expect(Set(final.map(\.id)) == Set(accepted))
        #expect(final.allSatisfy { $0.state == .succeeded }, "\(final.map { "\($0.id) \($0.state) \($0.reason ?? "")" })")
        let jobs = try await Self.jobs(simulator)
        // One job per submission, each under its submission's name, none orphaned.
        #expect(jobs.count == accepted.count, "\(jobs.map { $0["name"] ?? .null })")
        #expect(Set(jobs.compactMap { $0["name"]?.stringValue }) == Set(final.compactMap(\.trainingJobName)))
        #expect(Set(jobs.compactMap { $0["id"]?.stringValue }) == Set(final.compactMap(\.trainingJobID)))
        #expect(jobs.contains { $0["response_lost"] == .bool(true) })
    }

    @Test func aCopyWithTwoOverridesChangesJustThoseTwoFields() async throws {
        let (directory, simulator, config) = try await Self.simulated()
        defer { simulator.child.signal(SIGKILL) }
        let daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config])

        // First an original, then a copy of it with a new learning rate and two nodes.
        let original = try await CLI.run(["submit", "--api", "v2", Self.exampleJob, "--wait", "--json", "--socket", daemon.socketPath])
        #expect(original.code == 0, "\(original.stderr)")
        let source = try #require(try await Self.submissions(daemon).first?.trainingJobID)
        let copied = try await CLI.run([
            "submit", "--from-job", source, "--set", "algorithm.parameters.learning_rate=0.5", "--set", "spec.resource.node_count=2",
            "--wait", "--socket", daemon.socketPath,
        ])
        #expect(copied.code == 0, "\(copied.stdout)\(copied.stderr)")
        let copy = try #require(try await Self.submissions(daemon).first { $0.fromJob == source })
        #expect(copy.state == .succeeded)

        let jobs = try await Self.jobs(simulator)
        #expect(jobs.count == 2)
        let originalBody = try #require(jobs.first { $0["id"]?.stringValue == source }?["body"]?.objectValue)
        let copyBody = try #require(jobs.first { $0["id"]?.stringValue == copy.trainingJobID }?["body"]?.objectValue)
        #expect(copyBody["algorithm"]?["parameters"]?.arrayValue?.first { $0["name"] == .string("learning_rate") }?["value"] == .string("0.5"))
        #expect(copyBody["spec"]?["resource"]?["node_count"] == .integer(2))
        // Everything else is the original's: undo the two changes and the name, and the bodies agree.
        var undone = JSONValue.object(copyBody)
        undone = try FieldOverrideForTests.set(undone, ["spec", "resource", "node_count"], originalBody["spec"]?["resource"]?["node_count"] ?? .null)
        undone = try FieldOverrideForTests.set(undone, ["algorithm", "parameters"], originalBody["algorithm"]?["parameters"] ?? .null)
        undone = try FieldOverrideForTests.set(undone, ["metadata", "name"], originalBody["metadata"]?["name"] ?? .null)
        #expect(undone == .object(originalBody))
        #expect(await daemon.stop() == 0)
    }

    @Test func oneFalseFailedReadDoesNotEndAJobAndRealEndsAreTold() async throws {
        let directory = try TestDirectory()
        // Outcomes by name: one job shows Failed for one read mid-run, one never starts, one queues for ever.
        let scenario = directory.file("scenario.json")
        try #"{"job_outcomes": {"flappy": "flap", "broken": "abnormal", "waiting": "pending_forever"}}"#
            .write(toFile: scenario, atomically: true, encoding: .utf8)
        let simulator = try await SimulatorProcess(directory: directory, timeScale: 120, extraArguments: ["--scenario", scenario])
        defer { simulator.child.signal(SIGKILL) }
        let config = try simulator.daemonConfiguration(in: directory, extra: Self.fastTracking)
        let daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config])
        var ids: [String: String] = [:]
        for name in ["flappy", "broken", "waiting"] {
            let result = try await CLI.run([
                "submit", "--api", "v2", Self.exampleJob, "--set", "metadata.name=\(name)", "--json", "--socket", daemon.socketPath,
            ])
            #expect(result.code == 0, "\(result.stderr)")
            ids[name] = try APICoding.decoder().decode(SubmissionView.self, from: Data(result.stdout.utf8)).id
        }
        func show(_ name: String) async throws -> SubmissionView {
            let shown = try await CLI.run(["show", ids[name] ?? "", "--json", "--socket", daemon.socketPath])
            return try APICoding.decoder().decode(SubmissionView.self, from: Data(shown.stdout.utf8))
        }
        // The pending job is tracked, then canceled: trainq terminates it and follows it to Terminated.
        let deadline = ContinuousClock.now + .seconds(90)
        var canceled = false
        while ContinuousClock.now < deadline {
            if !canceled, try await show("waiting").remoteStatus?.name == "Pending" {
                #expect(try await CLI.run(["cancel", ids["waiting"] ?? "", "--socket", daemon.socketPath]).code == 0)
                canceled = true
            }
            let states = try await [show("flappy").state, show("broken").state, show("waiting").state]
            if states.allSatisfy(\.isTerminal) { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        let flappy = try await show("flappy")
        #expect(flappy.state == .succeeded, "\(flappy.history.map { "\($0.state) \($0.remoteStatus?.name ?? "")" })")
        // The false Failed was seen, stored as a step, and not believed.
        #expect(flappy.history.contains { $0.remoteStatus?.name == "Failed" && $0.state == .tracking })
        let broken = try await show("broken")
        #expect(broken.state == .failed)
        #expect(broken.reason?.contains("Abnormal") == true, "\(broken.reason ?? "")")
        let waiting = try await show("waiting")
        #expect(waiting.state == .stopped, "\(waiting.state) \(waiting.reason ?? "")")
        #expect(waiting.remoteStatus?.name == "Terminated")
        #expect(try await Self.jobs(simulator).count == 3)
        #expect(await daemon.stop() == 0)
    }

    @Test func manyRunningJobsArePolledWithOneSearchAndEndedOnesByTheirOwnShows() async throws {
        let directory = try TestDirectory()
        let scenario = directory.file("scenario.json")
        try #"{"job_outcomes": {"waiting": "pending_forever"}}"#.write(toFile: scenario, atomically: true, encoding: .utf8)
        let simulator = try await SimulatorProcess(directory: directory, timeScale: 120, extraArguments: ["--scenario", scenario])
        defer { simulator.child.signal(SIGKILL) }
        let config = try simulator.daemonConfiguration(
            in: directory, extra: Self.fastTracking + "\n  max_queued_interval: 400ms")
        let daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config])
        // Six jobs that queue for ever and one that completes.
        let sweep = try await CLI.run([
            "submit", "--api", "v2", Self.exampleJob, "--set", "metadata.name=waiting", "--set", "algorithm.parameters.epochs=1,2,3,4,5,6",
            "--socket", daemon.socketPath,
        ])
        #expect(sweep.code == 0, "\(sweep.stderr)")
        let finishing = try await CLI.run(["submit", "--api", "v2", Self.exampleJob, "--wait", "--socket", daemon.socketPath])
        #expect(finishing.code == 0, "\(finishing.stdout)\(finishing.stderr)")

        // Once every waiting job is tracked and Pending, rounds are searches: no job needs a show of its own.
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let waiting = try await Self.submissions(daemon).filter { $0.trainingJobName?.hasPrefix("waiting-") == true }
            if waiting.count == 6, waiting.allSatisfy({ $0.remoteStatus?.name == "Pending" }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .seconds(1))
        let before = try await simulator.ledger()["requests"]
        try await Task.sleep(for: .seconds(3))
        let after = try await simulator.ledger()["requests"]
        func delta(_ key: String) -> Int64 { (after?[key]?.int64Value ?? 0) - (before?[key]?.int64Value ?? 0) }
        #expect(delta("job_search") >= 3, "searches \(delta("job_search"))")
        #expect(delta("job_show") == 0, "shows \(delta("job_show")), searches \(delta("job_search"))")
        let jobs = try await Self.jobs(simulator).filter { $0["name"]?.stringValue?.hasPrefix("waiting-") == true }
        #expect(jobs.count == 6)
        #expect(jobs.allSatisfy { $0["last_read_at"]?.int64Value != nil })
        // The job that completed was confirmed by two reads of its own after it left the search.
        let finished = try #require(try await Self.submissions(daemon).first { $0.trainingJobName?.hasPrefix("trainq-sdk-fixture-") == true })
        #expect(finished.state == .succeeded)
        #expect(await daemon.stop() == 0)
    }

    @Test func aPersonAdoptsTheJobThatCarriesTheSubmissionsNameAndNoOther() async throws {
        let (directory, simulator, config) = try await Self.simulated()
        defer { simulator.child.signal(SIGKILL) }
        // The create's answer is lost and every search is refused: reconciliation cannot decide.
        try await simulator.setFaults("""
            {"faults": [
              {"on": "job_create", "kind": "lost_response", "count": 1},
              {"on": "job_search", "kind": "error", "status": 403, "error_code": "ModelArts.0107"}
            ]}
            """)
        let daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config])
        let submitted = try await CLI.run(["submit", "--api", "v2", Self.exampleJob, "--wait", "--socket", daemon.socketPath])
        #expect(submitted.code == 15, "\(submitted.stdout)\(submitted.stderr)")
        let waiting = try #require(try await Self.submissions(daemon).first)
        #expect(waiting.state == .needsAttention)
        let created = try #require(try await Self.jobs(simulator).first)
        #expect(created["name"]?.stringValue == waiting.trainingJobName)

        // Another job (the simulator's seeded one) is not this submission's; a version id is not a v2 job.
        let wrong = try await CLI.run(["resolve", waiting.id, "--adopt", "6c1e3a8f-2b4d-4e7a-9f10-3d5b7c9e1a20", "--socket", daemon.socketPath])
        #expect(wrong.code == 4, "\(wrong.stdout)\(wrong.stderr)")
        #expect(wrong.stderr.contains("is named trainq-seed-job"), "\(wrong.stderr)")
        let version = try await CLI.run(["resolve", waiting.id, "--adopt", "21", "--socket", daemon.socketPath])
        #expect(version.code == 4 && version.stderr.contains("adopts a training job"), "\(version.stderr)")

        let adopted = try await CLI.run([
            "resolve", waiting.id, "--adopt", created["id"]?.stringValue ?? "?", "--socket", daemon.socketPath,
        ])
        #expect(adopted.code == 0, "\(adopted.stdout)\(adopted.stderr)")
        let watched = try await CLI.run(["watch", waiting.id, "--socket", daemon.socketPath])
        #expect(watched.code == 0, "\(watched.stdout)")
        let final = try #require(try await Self.submissions(daemon).first)
        #expect(final.state == .succeeded)
        #expect(final.trainingJobID == created["id"]?.stringValue)
        #expect(try await Self.jobs(simulator).count == 1)
        #expect(await daemon.stop() == 0)
    }

    @Test func aCopyOfAJobThatDoesNotExistIsRejectedWithTheReason() async throws {
        let directory = try TestDirectory()
        let daemon = try await DaemonProcess(directory: directory)
        let result = try await CLI.run([
            "submit", "--from-job", "00000000-0000-4000-8000-000000000000", "--wait", "--socket", daemon.socketPath,
        ])
        #expect(result.code != 0)
        let submission = try #require(try await Self.submissions(daemon).first)
        #expect(submission.state == .rejected, "\(submission.state) \(submission.reason ?? "")")
        #expect(submission.attempts.last?.errorCode?.hasPrefix("ModelArts.") == true, "\(submission.attempts)")
        #expect(await daemon.stop() == 0)
    }
}

/// Sets one member at a path of objects, for comparing bodies in tests.
enum FieldOverrideForTests {
    struct NotAnObject: Error {}

    static func set(_ document: JSONValue, _ path: [String], _ value: JSONValue) throws -> JSONValue {
        guard let key = path.first else { return value }
        guard var members = document.objectValue else { throw NotAnObject() }
        members[key] = try set(members[key] ?? .object([:]), Array(path.dropFirst()), value)
        return .object(members)
    }
}
