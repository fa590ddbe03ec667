/// The starting world and the faults: what `--scenario FILE` holds and, in part, what
/// `POST /_sim/faults` takes.
///
/// ```json
/// {"faults": [{"on": "create", "kind": "error", "status": 503, "count": 2}],
///  "jobs": [{"job_id": 10, "job_name": "TestModelArtsJob", "versions": [20]}],
///  "outcomes": {"21": 11}}
/// ```
public struct Scenario: Sendable, Hashable {
    /// A job that exists from the start with its (completed) versions.
    public struct Job: Sendable, Hashable {
        public var jobID: Int64
        public var jobName: String?
        public var jobDesc: String?
        public var versions: [Int64]

        public init(jobID: Int64, jobName: String? = nil, jobDesc: String? = nil, versions: [Int64]) {
            self.jobID = jobID
            self.jobName = jobName
            self.jobDesc = jobDesc
            self.versions = versions
        }
    }

    public var faults: [FaultRule]
    /// Nil keeps the default world: job 10 with version 20.
    public var jobs: [Job]?
    /// Terminal status per version id, for versions created later (default 10, COMPLETED).
    public var outcomes: [Int64: Int]

    public init(faults: [FaultRule] = [], jobs: [Job]? = nil, outcomes: [Int64: Int] = [:]) {
        self.faults = faults
        self.jobs = jobs
        self.outcomes = outcomes
    }

    /// The seed's sample request names job 10 and previous version 20.
    public static let defaultJobs = [Job(jobID: 10, jobName: "TestModelArtsJob", versions: [20])]
}
