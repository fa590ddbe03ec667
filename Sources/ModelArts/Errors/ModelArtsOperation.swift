/// The remote calls the client makes. Classification depends on it: only a create can leave a duplicate
/// behind when its outcome is unknown.
public enum ModelArtsOperation: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case createVersion = "create_version"
    case showVersion = "show_version"
    case listVersions = "list_versions"
    case stopVersion = "stop_version"
    case listJobs = "list_jobs"
    case issueToken = "issue_token"
    case createTrainingJob = "create_training_job"
    case showTrainingJob = "show_training_job"
    case searchTrainingJobs = "search_training_jobs"
    case terminateTrainingJob = "terminate_training_job"

    /// Repeating this call can change remote state twice.
    public var isNonIdempotentCreate: Bool { self == .createVersion || self == .createTrainingJob }

    public var description: String { rawValue }
}
