import ArgumentParser
import Foundation
import NIOHTTP1
import TrainQAPI

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print state and remote-status changes; with --follow, keep printing them as they happen."
    )

    @OptionGroup var options: GlobalOptions

    @Flag(name: .long, help: "Stream changes as they happen (until interrupted).")
    var follow = false

    @Option(name: .long, help: "Only events after this sequence number.")
    var after: Int64 = 0

    @Option(name: .long, help: "Only this submission.")
    var submission: String?

    @Option(name: .long, help: "Only this training job.")
    var jobID: Int64?

    func run() async throws {
        var query = ["after=\(after)"]
        if let submission { query.append("submission=\(submission)") }
        if let jobID { query.append("job_id=\(jobID)") }
        try await withDaemon(options) { client in
            if follow {
                try await client.stream("/v1/events?follow=true&" + query.joined(separator: "&")) { line in
                    if options.json {
                        FileHandle.standardOutput.write(line + Data("\n".utf8))
                    } else if let event = try? APICoding.decoder().decode(EventView.self, from: line) {
                        print(Self.describe(event))
                    }
                    return true
                }
                return 0
            }
            let reply = try await client.send(.GET, "/v1/events?timeout=0s&" + query.joined(separator: "&"))
            let page = try client.decode(EventsPage.self, from: reply)
            if options.json {
                try printJSON(page)
            } else {
                for event in page.events { print(Self.describe(event)) }
            }
            return 0
        }
    }

    static func describe(_ event: EventView) -> String {
        var text = "\(event.seq)  \(APICoding.formatTimestamp(event.at))  \(event.submission)  job \(event.jobID)  \(event.state.rawValue)"
        if let remote = event.remoteStatus { text += "  \(remote.name) (\(remote.code))" }
        if let reason = event.reason { text += "  — \(reason)" }
        return text
    }
}
