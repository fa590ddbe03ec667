import ArgumentParser
import Foundation
import NIOHTTP1
import TrainQAPI

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one submission: its request, state, attempts and whole history."
    )

    @OptionGroup var options: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The submission id.")
    var id: String

    func run() async throws {
        try await withDaemon(options) { client in
            let submission = try client.decode(SubmissionView.self, from: try await client.send(.GET, "/v1/submissions/\(id)"))
            switch output.format(options) {
            case .json: try printJSON(submission)
            case .table: print(SubmissionStory.render(submission, wide: false))
            case .wide: print(SubmissionStory.render(submission, wide: true))
            }
            return 0
        }
    }
}

/// The text a person reads to understand what happened to a submission, and why.
enum SubmissionStory {
    /// `wide` adds the request as stored and each attempt's ModelArts request id (what Huawei support
    /// asks for).
    static func render(_ submission: SubmissionView, wide: Bool = false) -> String {
        var lines: [String] = []
        lines.append("submission \(submission.id)")
        lines.append("  state:       \(StateColor.paint(submission.state.rawValue, submission.state))\(submission.reason.map { " — \($0)" } ?? "")")
        lines.append("  owner:       \(submission.owner.user) (uid \(submission.owner.uid))")
        if submission.api == .v2 {
            lines.append("  v2 job:      \(submission.trainingJobName ?? "?") in project \(submission.projectID)")
            if let trainingJobID = submission.trainingJobID { lines.append("  job id:      \(trainingJobID)") }
            if let fromJob = submission.fromJob { lines.append("  copied from: \(fromJob)") }
        } else {
            lines.append("  job:         \(submission.jobID) in project \(submission.projectID)")
        }
        if let takenBy = submission.takenBy { lines.append("  taken by:    \(takenBy)") }
        if let versionID = submission.versionID {
            lines.append("  version:     \(submission.versionName ?? "?") (id \(versionID))")
        }
        if let remote = submission.remoteStatus {
            lines.append("  remote:      \(remote.label)\(remote.at.map { " since \(APICoding.formatTimestamp($0))" } ?? "")")
        }
        lines.append("  created:     \(APICoding.formatTimestamp(submission.createdAt))")
        lines.append("  updated:     \(APICoding.formatTimestamp(submission.updatedAt))")
        if let next = submission.nextAttemptAt {
            lines.append("  next try:    \(APICoding.formatTimestamp(next))")
        }
        // Throttled attempts waited their turn: they are listed, but do not count against the budget.
        let throttled = submission.attempts.count { $0.outcome == "throttled" }
        if throttled > 0 {
            lines.append("  throttled:   \(throttled) time\(throttled == 1 ? "" : "s") (429; not counted against the attempt budget)")
        }
        if !submission.attempts.isEmpty {
            lines.append("attempts:")
            for attempt in submission.attempts {
                var text = "  #\(attempt.number) \(APICoding.formatTimestamp(attempt.startedAt))  \(attempt.outcome ?? "in flight")"
                if let status = attempt.httpStatus { text += "  HTTP \(status)" }
                if let code = attempt.errorCode { text += "  \(code)" }
                if let message = attempt.message { text += "  \(message)" }
                if let delay = attempt.delayMS { text += "  (next try in \(Double(delay) / 1000)s)" }
                if wide, let requestID = attempt.requestID { text += "  request \(requestID)" }
                lines.append(text)
            }
        }
        if !submission.history.isEmpty {
            lines.append("history:")
            for entry in submission.history {
                var text = "  \(APICoding.formatTimestamp(entry.at))  \(StateColor.paint(entry.state.rawValue, entry.state))"
                if let remote = entry.remoteStatus { text += "  \(remote.label)" }
                if let reason = entry.reason { text += "  — \(reason)" }
                lines.append(text)
            }
        }
        if wide {
            lines.append("request:")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let text = (try? encoder.encode(submission.request)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
            lines.append(contentsOf: text.split(separator: "\n").map { "  " + $0 })
        }
        return lines.joined(separator: "\n")
    }
}
