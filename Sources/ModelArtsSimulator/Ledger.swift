/// Everything the simulator created and counted, as `GET /_sim/ledger` shows it.
public struct Ledger: Sendable, Hashable, Codable {
    /// One version created through the API (seeded versions are not listed).
    public struct Entry: Sendable, Hashable, Codable {
        public var jobID: Int64
        public var versionID: Int64
        public var versionName: String
        public var preVersionID: Int64?
        public var jobDesc: String
        /// Epoch milliseconds.
        public var createTime: Int64
        /// The status right now.
        public var status: Int
        public var deleted: Bool
        /// The create succeeded but its answer was deliberately lost.
        public var responseLost: Bool
        /// When a caller last read the version (a show of it, or a list page with it): epoch milliseconds,
        /// nil if never. Tests check how fresh tracking keeps every version.
        public var lastReadAt: Int64?

        enum CodingKeys: String, CodingKey {
            case status, deleted
            case jobID = "job_id"
            case versionID = "version_id"
            case versionName = "version_name"
            case preVersionID = "pre_version_id"
            case jobDesc = "job_desc"
            case createTime = "create_time"
            case responseLost = "response_lost"
            case lastReadAt = "last_read_at"
        }
    }

    public var versions: [Entry]
    public var requests: RequestCounters
    /// v2 training jobs created through the API, in creation order.
    public var trainingJobs: [TrainingJobEntry]

    enum CodingKeys: String, CodingKey {
        case versions, requests
        case trainingJobs = "training_jobs"
    }
}
