import Foundation
import JSONTree
import Testing
import TrainQAPI

#if canImport(Glibc)
import Glibc
#endif

/// `SIGTERM` ends trainqd within `submit.drain_timeout` + 2 s whatever ModelArts does (DESIGN §6): list,
/// show and stop calls are cancelled at once, a create on the wire is waited for up to the drain and then
/// left to reconciliation. Calls here hang for 30 s to two minutes, far beyond the stop, and the request
/// timeout is a minute, so only cancellation can end them in time.
@Suite(.serialized) struct StopOnTimeTests {
    static let drainTimeout: Duration = .seconds(2)
    /// What the code guarantees beyond the drain (the unit's `TimeoutStopSec=` stays above both).
    static let grace: Duration = .seconds(2)

    @Test func tenStopsInARowUnderHangingCallsEachEndWithinTheDrain() async throws {
        let directory = try TestDirectory()
        let simulator = try await SimulatorProcess(directory: directory, timeScale: 1)
        defer { simulator.child.signal(SIGKILL) }
        let config = try simulator.daemonConfiguration(in: directory, requestTimeout: "60s", extra: """
            submit:
              drain_timeout: 2s
            track:
              min_interval: 100ms
              max_interval: 300ms
            """)
        let request = try SeedRequest.write(in: directory)

        // One version to track, created while ModelArts still answers.
        var daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config])
        let tracked = try await CLI.run(["submit", request, "--job-id", "10", "--socket", daemon.socketPath])
        #expect(tracked.code == 0, "\(tracked.stderr)")
        try await waitForState(.tracking, count: 1, socket: daemon.socketPath)

        // From now on every create, list, show and stop hangs. A create lands 30 s late, within the
        // re-list schedule (as a slow backend's would); the reads never answer in time.
        try await simulator.setFaults("""
            {"faults": [
              {"on": "create", "kind": "delay", "delay_ms": 30000},
              {"on": "list", "kind": "delay", "delay_ms": 120000},
              {"on": "show", "kind": "delay", "delay_ms": 120000},
              {"on": "stop", "kind": "delay", "delay_ms": 120000}
            ]}
            """)
        // An attempt on the wire when trainqd dies: the next start has it to reconcile.
        let orphan = try await CLI.run(["submit", request, "--job-id", "11", "--pre-version-id", "1100", "--socket", daemon.socketPath])
        #expect(orphan.code == 0, "\(orphan.stderr)")
        try await waitForCalls(simulator, create: 2)
        await daemon.crash()

        var stops: [Duration] = []
        for round in 0..<10 {
            // Counted before the start: the reconciler's list and the tracker's show go out as soon as it is up.
            let before = try await counters(simulator)
            daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config], name: "trainqd-\(round)")
            // A new create on a job of its own, so it goes on the wire at once.
            let job = 100 + round
            let submitted = try await CLI.run([
                "submit", request, "--job-id", String(job), "--pre-version-id", String(job * 100), "--socket", daemon.socketPath,
            ])
            #expect(submitted.code == 0, "\(submitted.stderr)")
            // Every kind of call hangs at ModelArts when the stop comes: the reconciler's list, the
            // tracker's show, the new create, and a person's stop of the tracked version.
            let trackedNow = try await trackedID(socket: daemon.socketPath)
            let canceling = try ChildProcess(
                BuiltProducts.path("trainq"), ["cancel", trackedNow, "--socket", daemon.socketPath],
                directory: directory, name: "trainq-cancel-\(round)")
            do {
                try await waitForCalls(
                    simulator, create: before.create + 1, list: before.list + 1, show: before.show + 1, stop: before.stop + 1)
            } catch {
                Issue.record("round \(round): \(error)\n\(daemon.child.stderr.suffix(6000))")
                throw error
            }

            let clock = ContinuousClock()
            let signalled = clock.now
            daemon.child.signal(SIGTERM)
            let code = await daemon.child.wait(timeout: .seconds(30))
            let took = clock.now - signalled
            stops.append(took)
            #expect(code == 0, "round \(round): trainqd exited \(code)\n\(daemon.child.stderr.suffix(3000))")
            #expect(took <= Self.drainTimeout + Self.grace, "round \(round): the stop took \(took)")
            // The person's stop was cut short by the stop of trainqd: told so, safe to ask again.
            let cancelCode = await canceling.wait(timeout: .seconds(10))
            #expect(cancelCode == 3, "round \(round): trainq cancel exited \(cancelCode): \(canceling.stderr)")
            #expect(canceling.stderr.contains("shutting_down"), "round \(round): \(canceling.stderr)")
        }
        print("stop times after SIGTERM: \(stops.map { "\($0)" }.joined(separator: ", "))")

        // Nothing was lost: after the faults clear, every submission ends with exactly one version.
        try await simulator.clearFaults()
        daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config], name: "trainqd-final")
        defer { daemon.child.signal(SIGKILL) }
        let views = try await waitUntilSettled(socket: daemon.socketPath, count: 12)
        let ledger = try await simulator.ledger()
        let versions = ledger["versions"]?.arrayValue ?? []
        for view in views where view.versionID != nil {
            #expect(versions.filter { $0["version_id"]?.int64Value == view.versionID }.count == 1)
        }
        var perJob: [Int64: Int] = [:]
        for version in versions { perJob[version["job_id"]?.int64Value ?? 0, default: 0] += 1 }
        #expect(perJob.values.allSatisfy { $0 == 1 }, "a job got two versions: \(perJob)")
        #expect(await daemon.stop() == 0)
    }

    // MARK: - Helpers

    struct Counters { var create = 0, list = 0, show = 0, stop = 0 }

    func counters(_ simulator: SimulatorProcess) async throws -> Counters {
        let requests = try await simulator.ledger()["requests"]
        func count(_ name: String) -> Int { Int(requests?[name]?.int64Value ?? 0) }
        return Counters(create: count("create"), list: count("list"), show: count("show"), stop: count("stop"))
    }

    /// Waits (bounded) until the simulator has seen at least these many calls.
    func waitForCalls(_ simulator: SimulatorProcess, create: Int = 0, list: Int = 0, show: Int = 0, stop: Int = 0) async throws {
        var seen = Counters()
        for _ in 0..<500 {
            seen = try await counters(simulator)
            if seen.create >= create, seen.list >= list, seen.show >= show, seen.stop >= stop { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError("calls never reached ModelArts: wanted create \(create) list \(list) show \(show) stop \(stop), saw \(seen)")
    }

    func list(socket: String) async throws -> [SubmissionView] {
        let listed = try await CLI.run(["list", "--json", "--limit", "100", "--socket", socket])
        guard listed.code == 0 else { throw HarnessError("trainq list failed: \(listed.stderr)") }
        return try APICoding.decoder().decode(SubmissionList.self, from: Data(listed.stdout.utf8)).submissions
    }

    func trackedID(socket: String) async throws -> String {
        guard let view = try await list(socket: socket).first(where: { $0.state == .tracking }) else {
            throw HarnessError("no tracking submission")
        }
        return view.id
    }

    func waitForState(_ state: SubmissionState, count: Int, socket: String) async throws {
        for _ in 0..<500 {
            if try await list(socket: socket).filter({ $0.state == state }).count >= count { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError("never \(count) submission(s) \(state.rawValue)")
    }

    func waitUntilSettled(socket: String, count: Int) async throws -> [SubmissionView] {
        var views: [SubmissionView] = []
        for _ in 0..<600 {
            views = try await list(socket: socket)
            let settled = views.filter { $0.versionID != nil || $0.state.isTerminal || $0.state == .needsAttention }
            if views.count == count, settled.count == count { return views }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("not settled: \(views.map { "\($0.id) \($0.state.rawValue)" })")
    }
}
