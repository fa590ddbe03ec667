import NIOCore
import Foundation
import NIOHTTP1
import TrainQAPI

/// Follows one submission through the daemon's event long-poll until it ends, printing each change.
/// Each call goes through `reconnector`: across a restart of trainqd the long-poll resumes after the
/// last seq printed, so every change is printed once.
struct Watcher {
    /// Events asked for per long-poll: a submission has a few dozen in its whole life.
    static let pageLimit = 500

    let client: DaemonClient
    let json: Bool
    let reconnector: Reconnector

    /// The exit code for how a submission ended (documented in `trainq --help`).
    static func exitCode(for state: SubmissionState) -> Int32? {
        switch state {
        case .succeeded: 0
        case .failed: 10
        case .stopped: 11
        case .rejected: 12
        case .exhausted: 13
        case .canceled: 14
        case .needsAttention: 15
        case .queued, .retrying, .submitting, .reconciling, .tracking: nil
        }
    }

    func follow(_ id: String) async throws -> Int32 {
        let submission = try await reconnector.attempt {
            try client.decode(SubmissionView.self, from: try await client.send(.GET, "/v1/submissions/\(id)"))
        }
        if !json {
            printLine("\(submission.id): \(describe(state: submission.state, remote: submission.remoteStatus))")
        }
        if let code = Self.exitCode(for: submission.state) {
            if json { try printJSON(submission) }
            return code
        }
        var after = submission.history.map(\.seq).max() ?? 0
        while true {
            let page = try await reconnector.attempt {
                // While reconnecting, ask without waiting: the answer says trainqd is back at once
                // instead of after the next change.
                let wait = reconnector.isReconnecting ? "0s" : "30s"
                let path = "/v1/events?submission=\(id)&after=\(after)&timeout=\(wait)&limit=\(Self.pageLimit)"
                return try client.decode(EventsPage.self, from: try await client.send(.GET, path, timeout: .seconds(60)))
            }
            for event in page.events {
                after = max(after, event.seq)
                if json {
                    try printJSON(event)
                } else {
                    printLine("\(APICoding.formatTimestamp(event.at))  \(describe(state: event.state, remote: event.remoteStatus))\(event.reason.map { "  — \($0)" } ?? "")")
                }
                if let code = Self.exitCode(for: event.state) { return code }
            }
            // `lastSeq` is the newest event of all submissions: past it only when this page held every event
            // of ours up to it, or a full page would skip the rest of our events.
            if !page.events.isEmpty, page.events.count < Self.pageLimit { after = max(after, page.lastSeq) }
        }
    }

    private func describe(state: SubmissionState, remote: RemoteStatus?) -> String {
        guard let remote else { return StateColor.paint(state.rawValue, state) }
        return "\(StateColor.paint(state.rawValue, state))  \(remote.label)"
    }
}
