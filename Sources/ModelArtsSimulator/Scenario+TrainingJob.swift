import JSONTree

extension Scenario {
    /// A v2 training job that exists from the start, so a client can GET it and copy it.
    public struct TrainingJob: Sendable, Hashable {
        /// A UUID, as `metadata.id`.
        public var id: String
        /// A full `Job` create body (`kind` and `metadata.name` at least).
        public var job: JSONValue
        /// Where it stands: Completed (the default), Failed, Terminated, Abnormal or Pending (queued for ever).
        public var phase: TrainingJobPhase

        public init(id: String, job: JSONValue, phase: TrainingJobPhase = .completed) {
            self.id = id
            self.job = job
            self.phase = phase
        }
    }

    /// The phases a seeded job can be in.
    static let seedablePhases: [TrainingJobPhase] = [.completed, .failed, .terminated, .abnormal, .pending]

    /// The id of the default world's seeded v2 job.
    public static let defaultTrainingJobID = "6c1e3a8f-2b4d-4e7a-9f10-3d5b7c9e1a20"

    /// One completed job with the body a real code-dir job has (reference §4.2's minimal body, filled in).
    public static let defaultTrainingJobs = [
        TrainingJob(id: defaultTrainingJobID, job: .object([
            "kind": .string("job"),
            "metadata": .object([
                "name": .string("trainq-seed-job"),
                "workspace_id": .string("0"),
                "description": .string("seeded by modelarts-sim"),
            ]),
            "algorithm": .object([
                "code_dir": .string("/trainq-bucket/app/"),
                "boot_file": .string("/trainq-bucket/app/train.py"),
                "engine": .object(["engine_name": .string("PyTorch"), "engine_version": .string("pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64")]),
                "parameters": .array([
                    .object(["name": .string("learning_rate"), "value": .string("0.01")]),
                    .object(["name": .string("epochs"), "value": .string("10")]),
                ]),
                "inputs": .array([.object([
                    "name": .string("data_url"), "remote": .object(["obs": .object(["obs_url": .string("/trainq-bucket/data/")])]),
                ])]),
                "outputs": .array([.object([
                    "name": .string("train_url"), "remote": .object(["obs": .object(["obs_url": .string("/trainq-bucket/output/")])]),
                ])]),
                "environments": .object(["PYTHONUNBUFFERED": .string("1")]),
            ]),
            "spec": .object([
                "resource": .object(["flavor_id": .string("modelarts.p3.large.public.free"), "node_count": .integer(1)]),
                "log_export_path": .object(["obs_url": .string("/trainq-bucket/logs/")]),
            ]),
        ])),
    ]

    /// 8-4-4-4-12 hexadecimal digits.
    static func isUUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }
}

extension Scenario.TrainingJob {
    init(json: JSONValue, path: String) throws(ScenarioError) {
        let reader = try JSONObjectReader(json, path: path)
        try reader.rejectUnknownKeys(allowed: ["id", "job", "phase"])
        guard let id = try reader.string("id") else { throw .invalidField(reader.field("id"), "is required") }
        guard Scenario.isUUID(id) else { throw .invalidField(reader.field("id"), "expected a UUID, got \"\(id)\"") }
        guard let job = reader.members["job"] else { throw .invalidField(reader.field("job"), "is required") }
        do throws(ServiceError) {
            _ = try CreateTrainingJobBody.validate(job)
        } catch {
            throw .invalidField(reader.field("job"), error.message)
        }
        var phase = TrainingJobPhase.completed
        if let name = try reader.string("phase") {
            let allowed = Scenario.seedablePhases.map(\.rawValue)
            guard let seeded = TrainingJobPhase(rawValue: name), Scenario.seedablePhases.contains(seeded) else {
                throw .invalidField(reader.field("phase"), "expected one of \(allowed.joined(separator: ", ")), got \"\(name)\"")
            }
            phase = seeded
        }
        self.init(id: id.lowercased(), job: job, phase: phase)
    }
}
