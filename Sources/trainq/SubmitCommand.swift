import ArgumentParser
import Foundation
import NIOHTTP1
import JSONTree
import TrainQAPI

struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Queue a request to create a new version of a training job.",
        discussion: "FILE (or - for standard input) holds the ModelArts request body: {\"job_desc\": ..., \"config\": {...}}."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The request body file, or - for standard input.")
    var file: String

    @Option(name: .long, help: "The training job to create a version of.")
    var jobID: Int64?

    @Option(name: .long, help: "The ModelArts project (default: the daemon's).")
    var projectID: String?

    @Option(name: .long, help: "Start from this version (overrides config.pre_version_id).")
    var preVersionID: Int64?

    @Option(name: .long, help: "Replaying the same key with the same body returns the same submission.")
    var idempotencyKey: String?

    @Flag(name: .long, help: "Follow the submission until it ends; the exit code says how. Rides through restarts of trainqd.")
    var wait = false

    @OptionGroup var reconnect: ReconnectOptions

    func run() async throws {
        let body = try buildBody().canonicalData()
        try await withDaemon(options) { client in
            guard wait else {
                _ = try await post(body, key: idempotencyKey, keyIsOurs: false, client: client)
                return 0
            }
            let reconnector = reconnect.reconnector(socketPath: options.socketPath)
            // The answer to the POST may be lost when trainqd goes away in the middle: repeating it is safe
            // only with a key, which makes a repeat return the submission already stored (200).
            let key = idempotencyKey ?? Self.generatedKey()
            let id = try await reconnector.attempt {
                try await post(body, key: key, keyIsOurs: idempotencyKey == nil, client: client)
            }
            return try await Watcher(client: client, json: options.json, reconnector: reconnector).follow(id)
        }
    }

    /// A fresh key for one `submit --wait`; keys are scoped to their owner, so only this user's own
    /// repeat can ever meet it.
    static func generatedKey() -> String {
        "trainq-" + UUID().uuidString.lowercased()
    }

    /// Posts the body once and prints what trainqd answered; returns the submission's id.
    private func post(_ body: Data, key: String?, keyIsOurs: Bool, client: DaemonClient) async throws -> String {
        let headers = key.map { [("Idempotency-Key", $0)] } ?? []
        let reply = try await client.send(.POST, "/v1/submissions", body: body, headers: headers)
        let submission = try client.decode(SubmissionView.self, from: reply, accepting: [200, 202])
        if options.json && !wait {
            try printJSON(submission)
        } else if !options.json {
            // A 200 for our own key is our repeat after a lost answer: still this run's submission.
            let verb = reply.status.code == 200 && !keyIsOurs ? "already submitted" : "submitted"
            printLine("\(verb) \(submission.id) (\(submission.state.rawValue)) for job \(submission.jobID)")
        }
        return submission.id
    }

    /// The socket API's body: the file's `job_desc` and `config`, with the flags laid over them.
    func buildBody() throws -> JSONValue {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw CLIError(.usage, "cannot read '\(file)'")
            }
            data = contents
        }
        let document: JSONValue
        do {
            document = try JSONValue.parse(data)
        } catch {
            throw CLIError(.validationFailed, "'\(file)' is not valid JSON: \(error)")
        }
        guard var members = document.objectValue else {
            throw CLIError(.validationFailed, "'\(file)' must hold a JSON object like {\"job_desc\": ..., \"config\": {...}}")
        }
        if let jobID { members["job_id"] = .integer(jobID) }
        guard members["job_id"] != nil else {
            throw CLIError(.usage, "give the training job with --job-id")
        }
        if let projectID { members["project_id"] = .string(projectID) }
        if let preVersionID {
            var config = members["config"]?.objectValue ?? [:]
            config["pre_version_id"] = .integer(preVersionID)
            members["config"] = .object(config)
        }
        return .object(members)
    }
}
