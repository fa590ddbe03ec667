import Foundation
import Testing
import TrainQAPI

/// Steps the tracking end-to-end tests share: submit with the command line, read a submission back,
/// wait for a condition, all against a real `trainqd`.
enum TrackingSteps {
    /// `trainq submit` of the seed's request for `job`; returns the new submission's id.
    static func submit(_ daemon: DaemonProcess, job: Int64, in directory: TestDirectory) async throws -> String {
        let request = try SeedRequest.write(in: directory)
        let previous = job == 10 ? 20 : job * 100
        let result = try await CLI.run([
            "submit", request, "--job-id", String(job), "--pre-version-id", String(previous), "--socket", daemon.socketPath,
        ])
        guard result.code == 0, let id = result.stdout.split(separator: " ").dropFirst().first else {
            throw HarnessError("submit failed (\(result.code)): \(result.stdout) \(result.stderr)")
        }
        return String(id).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `trainq show ID --json`, decoded.
    static func show(_ daemon: DaemonProcess, _ id: String) async throws -> SubmissionView {
        let shown = try await CLI.run(["show", id, "--json", "--socket", daemon.socketPath])
        guard shown.code == 0 else { throw HarnessError("show \(id) failed (\(shown.code)): \(shown.stderr)") }
        return try APICoding.decoder().decode(SubmissionView.self, from: Data(shown.stdout.utf8))
    }

    /// Reads the submission until `condition` holds; bounded by `timeout`.
    @discardableResult
    static func waitUntil(
        _ daemon: DaemonProcess, _ id: String, timeout: Duration = .seconds(60), _ what: String,
        _ condition: (SubmissionView) -> Bool
    ) async throws -> SubmissionView {
        let deadline = ContinuousClock.now + timeout
        var last: SubmissionView?
        while ContinuousClock.now < deadline {
            let view = try await show(daemon, id)
            if condition(view) { return view }
            last = view
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("\(id) never \(what); last state \(last?.state.rawValue ?? "?"), remote \(last?.remoteStatus?.code ?? -1)")
    }

    /// The events a `trainq events --follow --json` child printed so far, one per complete line.
    static func events(printedBy child: ChildProcess) throws -> [EventView] {
        let text = child.stdout
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        if !text.hasSuffix("\n"), !lines.isEmpty { lines.removeLast() }
        return try lines.map { try APICoding.decoder().decode(EventView.self, from: Data($0.utf8)) }
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
