import ArgumentParser
import Foundation
import NIOHTTP1
import TrainQAPI

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List submissions, newest first.")

    @OptionGroup var options: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "Only this state (queued, retrying, submitting, reconciling, tracking, succeeded, failed, stopped, rejected, exhausted, canceled, needs_attention).")
    var state: String?

    @Option(name: .long, help: "Only this training job.")
    var jobID: Int64?

    @Option(name: .long, help: "Only this owner (user name or uid).")
    var owner: String?

    @Option(name: .long, help: "At most this many (1–500).")
    var limit: Int = 50

    @Option(name: .long, help: "Continue after this cursor (from a previous --json page).")
    var cursor: String?

    func run() async throws {
        var query = ["limit=\(limit)"]
        if let state { query.append("state=\(state)") }
        if let jobID { query.append("job_id=\(jobID)") }
        if let owner { query.append("owner=\(owner.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? owner)") }
        if let cursor { query.append("cursor=\(cursor)") }
        try await withDaemon(options) { client in
            let reply = try await client.send(.GET, "/v1/submissions?" + query.joined(separator: "&"))
            let list = try client.decode(SubmissionList.self, from: reply)
            let format = output.format(options)
            if format == .json {
                try printJSON(list)
                return 0
            }
            let wide = format == .wide
            var rows = [["ID", "STATE", "JOB", "VERSION", "REMOTE STATUS", "OWNER", "CREATED"]]
            if wide { rows[0] += ["UPDATED", "ATTEMPTS", "NEXT TRY", "PROJECT", "REASON"] }
            for submission in list.submissions {
                var row = [
                    submission.id, submission.state.rawValue,
                    submission.api == .v2 ? submission.trainingJobName ?? "-" : String(submission.jobID),
                    submission.api == .v2 ? "v2" : submission.versionName ?? submission.versionID.map(String.init) ?? "-",
                    submission.remoteStatus.map { $0.label } ?? "-",
                    submission.owner.user, APICoding.formatTimestamp(submission.createdAt),
                ]
                if wide {
                    row += [
                        APICoding.formatTimestamp(submission.updatedAt), String(submission.attempts.count),
                        submission.nextAttemptAt.map(APICoding.formatTimestamp) ?? "-", submission.projectID,
                        submission.reason ?? "-",
                    ]
                }
                rows.append(row)
            }
            let states = list.submissions.map(\.state)
            print(Table.render(rows) { row, column, cell in column == 1 ? StateColor.paint(cell, states[row]) : cell })
            if let next = list.nextCursor { print("more: trainq list --cursor \(next)") }
            return 0
        }
    }
}
