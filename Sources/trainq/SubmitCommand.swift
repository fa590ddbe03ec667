import ArgumentParser
import Foundation
import NIOHTTP1
import JSONTree
import TrainQAPI

struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Queue a request to create a new version of a training job.",
        discussion: """
            FILE (or - for standard input) holds the ModelArts request body: {"job_desc": ..., "config": {...}}. \
            --set PATH=V1,V2 sets a field of the request; several values make a sweep, and several --set make a \
            grid: one submission per combination, sent as one batch and stored all together or not at all. \
            config.parameter.NAME sets the running parameter NAME. A value that reads as JSON (0.01, 2, true, \
            "a,b") is that JSON, anything else is text. Example: trainq submit request.json --job-id 10 \
            --set config.parameter.learning_rate=0.01,0.1 --set config.worker_server_num=1,2

            v2 training jobs: with --api v2, FILE holds a v2 job body ({"kind": "job", "metadata": ..., \
            "algorithm": ..., "spec": ...}), --set paths are inside it, and algorithm.parameters.NAME sets a \
            parameter. --from-job ID copies an existing v2 job instead (no FILE); each --set then changes one \
            field of the copy. Example: trainq submit --from-job 6c1e3a8f-2b4d-4e7a-9f10-3d5b7c9e1a20 \
            --set algorithm.parameters.lr=0.01,0.1 --set spec.resource.node_count=2
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The request body file, or - for standard input (none with --from-job).")
    var file: String?

    @Option(name: .long, help: "v1 (a new version of a v1 job, the default) or v2 (a new v2 training job).")
    var api: SubmissionAPI?

    @Option(name: .long, help: "Copy this v2 training job (its id), changed by the --set fields.")
    var fromJob: String?

    @Option(name: .long, help: "The training job to create a version of.")
    var jobID: Int64?

    @Option(name: .long, help: "The ModelArts project (default: the daemon's).")
    var projectID: String?

    @Option(name: .long, help: "Start from this version (overrides config.pre_version_id).")
    var preVersionID: Int64?

    @Option(name: .long, help: "Replaying the same key with the same body returns the same submission.")
    var idempotencyKey: String?

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Set a field; several values (comma-separated) sweep it, and several --set make a grid.",
        valueName: "path=value[,value...]"))
    var assignments: [String] = []

    @Flag(name: .long, help: "Print the requests (one JSON object a line) instead of sending them.")
    var dryRun = false

    @Flag(name: .long, help: "Follow the submission until it ends; the exit code says how. Rides through restarts of trainqd.")
    var wait = false

    @OptionGroup var reconnect: ReconnectOptions

    func run() async throws {
        let requests = try buildRequests()
        if dryRun {
            for request in requests {
                printLine(String(decoding: request.canonicalData(), as: UTF8.self))
            }
            return
        }
        let path = requests.count == 1 ? "/v1/submissions" : "/v1/submissions/batch"
        let body = requests.count == 1 ? requests[0].canonicalData() : JSONValue.object(["submissions": .array(requests)]).canonicalData()
        try await withDaemon(options) { client in
            guard wait else {
                _ = try await post(body, to: path, key: idempotencyKey, keyIsOurs: false, client: client)
                return 0
            }
            let reconnector = reconnect.reconnector(socketPath: options.socketPath)
            // The answer to the POST may be lost when trainqd goes away in the middle: repeating it is safe
            // only with a key, which makes a repeat return what is already stored (200).
            let key = idempotencyKey ?? Self.generatedKey()
            let ids = try await reconnector.attempt {
                try await post(body, to: path, key: key, keyIsOurs: idempotencyKey == nil, client: client)
            }
            // A sweep is followed one submission after another; the first that did not succeed names the exit code.
            var exitCode: Int32 = 0
            for id in ids {
                let code = try await Watcher(client: client, json: options.json, reconnector: reconnector).follow(id)
                if exitCode == 0 { exitCode = code }
            }
            return exitCode
        }
    }

    /// A fresh key for one `submit --wait`; keys are scoped to their owner, so only this user's own
    /// repeat can ever meet it.
    static func generatedKey() -> String {
        "trainq-" + UUID().uuidString.lowercased()
    }

    /// Posts the body once (a single request or a batch) and prints what trainqd answered; returns the
    /// submissions' ids in order.
    private func post(_ body: Data, to path: String, key: String?, keyIsOurs: Bool, client: DaemonClient) async throws -> [String] {
        let headers = key.map { [("Idempotency-Key", $0)] } ?? []
        let reply = try await client.send(.POST, path, body: body, headers: headers)
        let submissions: [SubmissionView]
        if path == "/v1/submissions" {
            let submission = try client.decode(SubmissionView.self, from: reply, accepting: [200, 202])
            submissions = [submission]
            if options.json && !wait { try printJSON(submission) }
        } else {
            let batch = try client.decode(SubmissionList.self, from: reply, accepting: [200, 202])
            submissions = batch.submissions
            if options.json && !wait { try printJSON(batch) }
        }
        if !options.json {
            // A 200 for our own key is our repeat after a lost answer: still this run's submission.
            let verb = reply.status.code == 200 && !keyIsOurs ? "already submitted" : "submitted"
            for submission in submissions {
                let target = submission.api == .v2 ? "v2 job \(submission.trainingJobName ?? "?")" : "job \(submission.jobID)"
                printLine("\(verb) \(submission.id) (\(submission.state.rawValue)) for \(target)")
            }
        }
        return submissions.map(\.id)
    }

    /// The requests to send: the body, or one per combination of the `--set` grid.
    func buildRequests() throws -> [JSONValue] {
        let layout: SweepAssignment.Layout = fromJob != nil ? .v2Copy : api == .v2 ? .v2Job : .v1
        let sweep = try assignments.map { text throws(CLIError) in try SweepAssignment(parsing: text, layout: layout) }
        return try SweepAssignment.expand(try buildBody(), sweep)
    }

    /// The socket API's body: the file's `job_desc` and `config`, with the flags laid over them; for v2,
    /// the file's job under `job`, or the job to copy.
    func buildBody() throws -> JSONValue {
        if let fromJob {
            guard api != .v1 else { throw CLIError(.usage, "--from-job copies a v2 training job; drop --api v1") }
            guard file == nil else { throw CLIError(.usage, "--from-job copies a job: give no FILE, change fields with --set") }
            var members: [String: JSONValue] = ["api": .string("v2"), "from_job": .string(fromJob), "overrides": .object([:])]
            if let projectID { members["project_id"] = .string(projectID) }
            return .object(members)
        }
        guard let file else { throw CLIError(.usage, "give the request body FILE (or - for standard input)") }
        let document = try Self.readDocument(file)
        if api == .v2 {
            guard jobID == nil, preVersionID == nil else {
                throw CLIError(.usage, "a v2 job has no --job-id or --pre-version-id; copy a job with --from-job")
            }
            var members: [String: JSONValue] = ["api": .string("v2"), "job": document]
            if let projectID { members["project_id"] = .string(projectID) }
            return .object(members)
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

    /// The JSON document in `file` (or standard input for `-`).
    static func readDocument(_ file: String) throws -> JSONValue {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw CLIError(.usage, "cannot read '\(file)'")
            }
            data = contents
        }
        do {
            return try JSONValue.parse(data)
        } catch {
            throw CLIError(.validationFailed, "'\(file)' is not valid JSON: \(error)")
        }
    }
}
