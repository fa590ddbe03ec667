import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing
import TrainQAPI

/// A real `trainqd` against a real `modelarts-sim` with AK/SK in files, logging to "the journal"
/// (`JOURNAL_STREAM` set): every line has a priority prefix, lines about a submission name it, and
/// neither the logs nor the database ever hold the keys.
@Suite(.serialized) struct SystemdJournalAndSecretsTests {
    static func run(in directory: TestDirectory) async throws -> (daemon: DaemonProcess, submission: SubmissionView, metrics: String, status: String) {
        let simulator = try await SimulatorProcess(directory: directory)
        // One lost create: the version is made but the answer never arrives, so reconciliation runs too.
        try await simulator.setFaults(#"{"faults": [{"on": "create", "kind": "lost_response", "count": 1}]}"#)
        let config = try simulator.daemonConfiguration(in: directory, extra: """
            submit:
              base_delay: 100ms
              max_delay: 500ms
            track:
              min_interval: 100ms
              max_interval: 500ms
            """)
        let daemon = try await DaemonProcess(
            directory: directory, extraArguments: ["--config", config], environment: ["JOURNAL_STREAM": "8:12345"]
        )
        let request = try SeedRequest.write(in: directory)
        let submit = try await CLI.run(["submit", request, "--job-id", "10", "--socket", daemon.socketPath, "--json"])
        #expect(submit.code == 0, "\(submit.stderr)")
        let accepted = try APICoding.decoder().decode(SubmissionView.self, from: Data(submit.stdout.utf8))
        let watch = try await CLI.run(["watch", accepted.id, "--socket", daemon.socketPath], timeout: .seconds(120))
        #expect(watch.code == 0, "\(watch.stdout)\n\(watch.stderr)")
        let show = try await CLI.run(["show", accepted.id, "--socket", daemon.socketPath, "--json"])
        let submission = try APICoding.decoder().decode(SubmissionView.self, from: Data(show.stdout.utf8))
        let metrics = try await Self.get("/metrics", socket: daemon.socketPath)
        let status = try await CLI.run(["status", "--socket", daemon.socketPath])
        #expect(status.code == 0, "\(status.stderr)")
        #expect(await daemon.stop() == 0)
        await simulator.stop()
        return (daemon, submission, metrics, status.stdout)
    }

    static func get(_ path: String, socket: String) async throws -> String {
        let url = try #require(URL(httpURLWithSocketPath: socket, uri: path))
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(10))
        #expect(response.status == .ok)
        let text = String(buffer: try await response.body.collect(upTo: 16 << 20))
        AnswerRecorder.record(
            method: "GET", path: path, status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"), body: Data(text.utf8)
        )
        return text
    }

    @Test func logsFitTheJournalNameTheSubmissionAndNeverHoldASecret() async throws {
        let directory = try TestDirectory()
        let (daemon, submission, metrics, status) = try await Self.run(in: directory)
        #expect(submission.state == .succeeded)
        let lines = daemon.child.stderr.split(separator: "\n").map(String.init)
        #expect(!lines.isEmpty)

        // Priority prefixes, as sd-daemon(3) defines them.
        for line in lines {
            #expect(line.range(of: #"^<[0-7]>"#, options: .regularExpression) != nil, "no priority prefix: \(line)")
        }
        #expect(lines.contains { $0.hasPrefix("<6>") })  // info
        #expect(lines.contains { $0.hasPrefix("<5>") })  // notice

        // Every line about the submission names its job; lines about an attempt name the attempt.
        let about = lines.filter { $0.contains("submission=\(submission.id)") }
        #expect(about.count >= 3, "\(lines)")
        for line in about {
            #expect(line.contains("job_id=10"), "no job id: \(line)")
        }
        let attemptLines = about.filter { $0.lowercased().contains("attempt") || $0.contains("create") || $0.contains("reconcil") }
        #expect(!attemptLines.isEmpty)
        for line in attemptLines where !line.contains("accepted submission") {
            #expect(line.contains("attempt="), "no attempt number: \(line)")
        }

        // The keys are nowhere: not in a log line, not in the database or its journal files.
        let secrets = [SimulatorProcess.accessKey, SimulatorProcess.secretKey]
        for secret in secrets {
            #expect(!daemon.child.stderr.contains(secret))
            #expect(!daemon.child.stdout.contains(secret))
            #expect(!metrics.contains(secret))
            #expect(!status.contains(secret))
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("trainq.db") }
        #expect(files.contains("trainq.db"))
        for file in files {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: directory.file(file)))
            for secret in secrets {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) holds a secret")
            }
        }
    }

    @Test func metricsMoveWithARealSubmissionAndStatusSummarizesThem() async throws {
        let directory = try TestDirectory()
        let (_, submission, metrics, status) = try await Self.run(in: directory)
        #expect(submission.state == .succeeded)
        let samples = Dictionary(
            metrics.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line -> (String, Double)? in
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
                return (String(line[..<space]), value)
            },
            uniquingKeysWith: { first, _ in first }
        )
        // One attempt lost its answer (unknown outcome), reconciliation found the version.
        #expect(samples[#"trainq_submit_attempts_total{outcome="unknown_outcome",class="unknown_outcome"}"#] == 1, "\(metrics)")
        #expect(samples[#"trainq_reconcile_results_total{result="found"}"#] == 1, "\(metrics)")
        #expect((samples[#"trainq_modelarts_calls_total{operation="create_version",status="none"}"#] ?? 0)
            + (samples[#"trainq_modelarts_calls_total{operation="create_version",status="504"}"#] ?? 0) >= 1, "\(metrics)")
        #expect((samples[#"trainq_modelarts_calls_total{operation="show_version",status="200"}"#] ?? 0) >= 1, "\(metrics)")
        #expect((samples[#"trainq_modelarts_call_duration_seconds_count{operation="list_versions"}"#] ?? 0) >= 1, "\(metrics)")
        #expect(samples[#"trainq_submissions{state="succeeded"}"#] == 1)
        #expect(samples["trainq_tracked_versions"] == 0)

        #expect(status.contains("attempts:"), "\(status)")
        #expect(status.contains("unknown_outcome 1"), "\(status)")
        #expect(status.contains("reconcile results:    found 1"), "\(status)")
        #expect(status.contains("create_version:"), "\(status)")
    }

    @Test func theEmbeddedSimulatorsKeysStayOutOfTheLogsToo() async throws {
        let directory = try TestDirectory()
        let daemon = try await DaemonProcess(directory: directory)
        let request = try SeedRequest.write(in: directory)
        let submit = try await CLI.run(["submit", request, "--job-id", "10", "--socket", daemon.socketPath, "--wait"])
        #expect(submit.code == 0, "\(submit.stderr)")
        #expect(await daemon.stop() == 0)
        let log = daemon.child.stderr
        #expect(log.contains("SIMULATED ModelArts"))
        // The simulated secret key is "sim-" and 32 hex digits, made fresh in each process.
        #expect(log.range(of: #"sim-[0-9a-f]{32}"#, options: .regularExpression) == nil, "\(log)")
    }
}
