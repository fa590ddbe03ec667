/// `status.phase` of a v2 training job (reference §4.4).
public enum TrainingJobPhase: String, Sendable, Hashable, CaseIterable {
    case creating = "Creating"
    case pending = "Pending"
    case running = "Running"
    case terminating = "Terminating"
    case completed = "Completed"
    case failed = "Failed"
    case terminated = "Terminated"
    case abnormal = "Abnormal"

    /// The phases that never change again; the service refuses to terminate a job in one of them (409 2796).
    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .terminated, .abnormal: true
        case .creating, .pending, .running, .terminating: false
        }
    }
}
