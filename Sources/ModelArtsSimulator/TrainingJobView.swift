import JSONTree

/// A v2 job as create, show, terminate and search answer it (`JobResponse`, reference §4.3): the body
/// as sent, plus what the service fills in.
enum TrainingJobView {
    static func job(_ job: SimulatedTrainingJob, snapshot: SimulatedTrainingJob.StateMachine.Snapshot) -> JSONValue {
        let sent = job.body.objectValue ?? [:]
        var members: [String: JSONValue] = ["kind": .string(job.kind)]

        var metadata = sent["metadata"]?.objectValue ?? [:]
        metadata["id"] = .string(job.id)
        metadata["name"] = .string(job.name)
        metadata["create_time"] = .integer(job.createTime)
        metadata["user_name"] = .string(job.userName)
        if metadata["workspace_id"] == nil { metadata["workspace_id"] = .string("0") }
        if metadata["description"] == nil { metadata["description"] = .string("") }
        if metadata["annotations"] == nil { metadata["annotations"] = .object([:]) }
        members["metadata"] = .object(metadata)

        let nodeCount = max(1, sent["spec"]?["resource"]?["node_count"]?.int64Value ?? 1)
        members["status"] = .object([
            "phase": .string(snapshot.phase.rawValue),
            "secondary_phase": .string(snapshot.secondaryPhase),
            "duration": .integer(snapshot.duration),
            "start_time": .integer(snapshot.startTime ?? 0),
            // The task ids the log calls take.
            "tasks": .array((0..<nodeCount).map { JSONValue.string("worker-\($0)") }),
            "node_count_metrics": .null,
        ])

        if let algorithm = sent["algorithm"] { members["algorithm"] = responseAlgorithm(algorithm) }
        if let spec = sent["spec"] { members["spec"] = responseSpec(spec) }
        if let endpoints = sent["endpoints"] { members["endpoints"] = endpoints }
        return .object(members)
    }

    /// `environments` is a map in the request and a list of maps in the response (reference §4.3).
    /// UNVERIFIED whether the service sends one map per variable or one map with all of them; one per
    /// variable, sorted by name, makes a client that only reads the first map fail visibly.
    private static func responseAlgorithm(_ algorithm: JSONValue) -> JSONValue {
        guard var members = algorithm.objectValue else { return algorithm }
        if let environments = members["environments"]?.objectValue {
            members["environments"] = .array(environments.keys.sorted().map { key in JSONValue.object([key: environments[key] ?? .null]) })
        }
        return .object(members)
    }

    /// `spec.resource` gains `flavor_name` (and `node_count` 1 when it was left out: the SDK's response
    /// model requires it).
    private static func responseSpec(_ spec: JSONValue) -> JSONValue {
        guard var members = spec.objectValue, var resource = members["resource"]?.objectValue else { return spec }
        if let flavorID = resource["flavor_id"]?.stringValue { resource["flavor_name"] = .string(flavorName(flavorID)) }
        if resource["node_count"] == nil { resource["node_count"] = .integer(1) }
        members["resource"] = .object(resource)
        return .object(members)
    }

    /// The console-style name of a flavor; the simulator knows no real catalogue, so it describes the id.
    static func flavorName(_ flavorID: String) -> String {
        switch flavorID {
        case "modelarts.p3.large.public.free": "GPU: 1*NVIDIA-V100(32GB) | CPU: 8 vCPUs 64GB (free)"
        case "modelarts.vm.cpu.2u": "CPU: 2 vCPUs 8GB"
        default: "Simulated flavor \(flavorID)"
        }
    }
}
