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

    @Flag(name: .long, help: "Stream changes as they happen (until interrupted); rides through restarts of trainqd.")
    var follow = false

    @OptionGroup var reconnect: ReconnectOptions

    @Option(name: .long, help: "Only events after this sequence number.")
    var after: Int64 = 0

    @Option(name: .long, help: "Only this submission.")
    var submission: String?

    @Option(name: .long, help: "Only this training job.")
    var jobID: Int64?

    func run() async throws {
        var filters: [String] = []
        if let submission { filters.append("submission=\(submission)") }
        if let jobID { filters.append("job_id=\(jobID)") }
        try await withDaemon(options) { client in
            if follow { return try await followStream(client, filters: filters) }
            let query = (["after=\(after)"] + filters).joined(separator: "&")
            let reply = try await client.send(.GET, "/v1/events?timeout=0s&" + query)
            let page = try client.decode(EventsPage.self, from: reply)
            if options.json {
                try printJSON(page)
            } else {
                for event in page.events { print(Self.describe(event)) }
            }
            return 0
        }
    }

    /// The follow stream, for ever: when it ends (trainqd stopping) or breaks (trainqd gone), it is asked
    /// for again from the last seq printed, so nothing is missed or printed twice.
    private func followStream(_ client: DaemonClient, filters: [String]) async throws -> Int32 {
        let reconnector = reconnect.reconnector(socketPath: options.socketPath)
        var cursor = after
        while true {
            let path = "/v1/events?follow=true&" + (["after=\(cursor)"] + filters).joined(separator: "&")
            do {
                try await client.stream(path, connected: reconnector.connected) { line in
                    let event = try? APICoding.decoder().decode(EventView.self, from: line)
                    if let event { cursor = max(cursor, event.seq) }
                    if options.json {
                        FileHandle.standardOutput.write(line + Data("\n".utf8))
                    } else if let event {
                        printLine(Self.describe(event))
                    }
                    return true
                }
                try await reconnector.failed(CLIError(.daemonUnavailable, "trainqd ended the event stream", isReconnectable: true))
            } catch let error as CLIError where error.isReconnectable {
                try await reconnector.failed(error)
            }
        }
    }

    static func describe(_ event: EventView) -> String {
        var text = "\(event.seq)  \(APICoding.formatTimestamp(event.at))  \(event.submission)  \(event.jobID.map { "job \($0)" } ?? "v2 job")  \(event.state.rawValue)"
        if let remote = event.remoteStatus { text += "  \(remote.label)" }
        if let reason = event.reason { text += "  — \(reason)" }
        return text
    }
}
