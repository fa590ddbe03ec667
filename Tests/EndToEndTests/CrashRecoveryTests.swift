import Foundation
import JSONTree
import Testing
import TrainQAPI

#if canImport(Glibc)
import Glibc
#endif

/// Issue: "never loses or duplicates a submission, whatever crashes or network faults happen".
/// Real `trainqd` and `modelarts-sim` processes; lost responses, resets and 503s injected; trainqd
/// killed with SIGKILL while attempts are in flight and restarted each time.
@Suite(.serialized) struct CrashRecoveryTests {
    @Test func kill9UnderFaultsLosesAndDuplicatesNothing() async throws {
        let directory = try TestDirectory()
        let simulator = try await SimulatorProcess(directory: directory, timeScale: 120)
        defer { simulator.child.signal(SIGKILL) }
        let config = try simulator.daemonConfiguration(in: directory, extra: """
            submit:
              max_attempts: 100
              base_delay: 20ms
              max_delay: 300ms
            track:
              min_interval: 100ms
              max_interval: 500ms
            """)
        try await simulator.setFaults("""
            {"faults": [
              {"on": "create", "kind": "lost_response", "probability": 0.3},
              {"on": "create", "kind": "reset", "probability": 0.1},
              {"on": "any", "kind": "error", "status": 503, "error_code": "ModelArts.4700", "probability": 0.1}
            ]}
            """)

        var daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config])
        let request = try SeedRequest.write(in: directory)
        var accepted: [String] = []
        let jobs: [Int64] = [10, 11, 12, 13]
        for index in 0..<16 {
            // Each job starts from a version of its own (the simulator creates a job on first use).
            let job = jobs[index % jobs.count]
            let previous = job == 10 ? 20 : job * 100
            let result = try await CLI.run([
                "submit", request, "--job-id", String(job), "--pre-version-id", String(previous), "--socket", daemon.socketPath,
            ])
            #expect(result.code == 0, "\(result.stderr)")
            if let id = result.stdout.split(separator: " ").dropFirst().first { accepted.append(String(id)) }
            if index % 4 == 3 {
                // Crash while attempts are in flight, then start again on the same database.
                try await Task.sleep(for: .milliseconds(Int.random(in: 50...300)))
                await daemon.crash()
                daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config], name: "trainqd-\(index)")
            }
        }
        #expect(accepted.count == 16)
        try await simulator.clearFaults()

        // Let every submission reach an end (or a justified need for a person).
        var final: [String: SubmissionView] = [:]
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            final = [:]
            for id in accepted {
                let shown = try await CLI.run(["show", id, "--json", "--socket", daemon.socketPath])
                if shown.code == 0, let view = try? APICoding.decoder().decode(SubmissionView.self, from: Data(shown.stdout.utf8)) {
                    final[id] = view
                }
            }
            if final.count == accepted.count, final.values.allSatisfy({ $0.state.isTerminal || $0.state == .needsAttention }) { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(await daemon.stop() == 0)

        // Nothing acknowledged was lost.
        #expect(Set(final.keys) == Set(accepted), "lost: \(Set(accepted).subtracting(final.keys))")
        for view in final.values {
            #expect(view.state == .succeeded || view.state == .needsAttention, "\(view.id) ended \(view.state): \(view.reason ?? "")")
        }

        // Every version in the ledger belongs to exactly one submission, and each created submission has
        // exactly one version.
        let ledger = try await simulator.ledger()
        let versions = ledger["versions"]?.arrayValue ?? []
        var versionsBySubmission: [String: [Int64]] = [:]
        for version in versions {
            let description = version["job_desc"]?.stringValue ?? ""
            guard let marker = description.range(of: "[trainq:"), let end = description[marker.upperBound...].firstIndex(of: "]") else {
                Issue.record("a version without a trainq marker: \(version)")
                continue
            }
            let id = String(description[marker.upperBound..<end])
            versionsBySubmission[id, default: []].append(version["version_id"]?.int64Value ?? -1)
        }
        #expect(Set(versionsBySubmission.keys).isSubset(of: Set(accepted)), "orphan versions in the ledger")
        for (id, ids) in versionsBySubmission {
            #expect(ids.count == 1, "submission \(id) created \(ids.count) versions: \(ids)")
        }
        for view in final.values where view.state == .succeeded {
            #expect(versionsBySubmission[view.id] == [view.versionID ?? -1], "\(view.id) tracked a version the ledger does not give it")
        }
        await simulator.stop()
    }
}
