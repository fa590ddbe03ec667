import ArgumentParser
import Foundation
import NIOHTTP1
import JSONTree
import TrainQAPI

/// `cancel`, `retry` and `resolve` all post to the submission and print the submission that results.
private func act(_ options: GlobalOptions, id: String, action: String, body: JSONValue? = nil) async throws {
    try await withDaemon(options) { client in
        let reply = try await client.send(.POST, "/v1/submissions/\(id)/\(action)", body: body?.canonicalData() ?? Data("{}".utf8))
        let submission = try client.decode(SubmissionView.self, from: reply, accepting: [200, 202])
        if options.json {
            try printJSON(submission)
        } else {
            print("\(submission.id): \(submission.state.rawValue)\(submission.reason.map { " — \($0)" } ?? "")")
        }
        return 0
    }
}

struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a submission; a version already created is asked to stop."
    )

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The submission id.") var id: String

    func run() async throws { try await act(options, id: id, action: "cancel") }
}

struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Queue a rejected or exhausted submission again with a fresh attempt budget."
    )

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The submission id.") var id: String

    func run() async throws { try await act(options, id: id, action: "retry") }
}

struct ResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Decide a submission that needs attention: adopt a version, queue it again, or cancel it."
    )

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The submission id.") var id: String

    @Option(name: .long, help: ArgumentHelp("This version (v1, an integer) or training job (v2, a UUID) is the submission's: track it.", valueName: "id"))
    var adopt: String?

    @Flag(name: .long, help: "Nothing was created: queue the request again.")
    var requeue = false

    @Flag(name: .long, help: "Give up on the submission.")
    var cancel = false

    func validate() throws {
        let chosen = [adopt != nil, requeue, cancel].filter { $0 }.count
        guard chosen == 1 else { throw ValidationError("choose exactly one of --adopt ID, --requeue, --cancel") }
    }

    func run() async throws {
        let request: ResolveRequest =
            if let adopt {
                Int64(adopt).map { ResolveRequest(action: .adopt, versionID: $0) } ?? ResolveRequest(action: .adopt, trainingJobID: adopt)
            } else if requeue {
                ResolveRequest(action: .requeue)
            } else { ResolveRequest(action: .cancel) }
        let body = try JSONValue.parse(APICoding.encoder().encode(request))
        try await act(options, id: id, action: "resolve", body: body)
    }
}
