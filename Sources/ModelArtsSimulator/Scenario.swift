/// The starting world and the faults: what `--scenario FILE` holds and, in part, what
/// `POST /_sim/faults` takes.
///
/// ```json
/// {"faults": [{"on": "create", "kind": "error", "status": 503, "count": 2}],
///  "jobs": [{"job_id": 10, "job_name": "TestModelArtsJob", "versions": [20]}],
///  "outcomes": {"21": 11},
///  "training_jobs": [{"id": "6c1e3a8f-2b4d-4e7a-9f10-3d5b7c9e1a20", "job": {"kind": "job", "metadata": {"name": "old"}}, "phase": "Completed"}],
///  "job_outcomes": {"nightly": "flap"}}
/// ```
///
/// Without `training_jobs` the v2 world holds one completed job, id `6c1e3a8f-2b4d-4e7a-9f10-3d5b7c9e1a20`
/// (``defaultTrainingJobID``), named `trainq-seed-job`, with a realistic body a client can copy.
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
    /// v2 jobs that exist from the start (not in the ledger); nil keeps the default seeded job.
    public var trainingJobs: [TrainingJob]?
    /// How v2 jobs created later end, by a substring of their name (the longest matching key wins);
    /// unmatched jobs complete.
    public var jobOutcomes: [String: TrainingJobOutcome]

    public init(
        faults: [FaultRule] = [], jobs: [Job]? = nil, outcomes: [Int64: Int] = [:], trainingJobs: [TrainingJob]? = nil,
        jobOutcomes: [String: TrainingJobOutcome] = [:]
    ) {
        self.faults = faults
        self.jobs = jobs
        self.outcomes = outcomes
        self.trainingJobs = trainingJobs
        self.jobOutcomes = jobOutcomes
    }

    /// The seed's sample request names job 10 and previous version 20.
    public static let defaultJobs = [Job(jobID: 10, jobName: "TestModelArtsJob", versions: [20])]
}
