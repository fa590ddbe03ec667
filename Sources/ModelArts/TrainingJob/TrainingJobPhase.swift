/// `status.phase` of a v2 training job (errata §4.4), with what it means for a tracker.
///
/// The terminal set is inferred from the stop rule ("only creating, awaiting or running jobs can be
/// terminated"); no document labels it, and jobs can be restarted or preempted, so a tracker holds a
/// job terminal only when two polls in a row agree.
public struct TrainingJobPhase: Sendable, Hashable, CustomStringConvertible {
    /// The phase exactly as the service sent it.
    public let name: String

    public init(_ name: String) {
        self.name = name
    }

    public var category: VersionStatus.Category {
        switch name {
        case "Completed": .succeeded
        case "Failed", "Abnormal": .failed
        case "Terminated": .stopped
        case "Creating", "Pending", "Running", "Terminating": .inProgress
        default: .unknown
        }
    }

    public var isTerminal: Bool { category.isTerminal }

    /// Queued for resources: public-pool queues last hours, so polls back off.
    public var isQueued: Bool { name == "Pending" }

    public var description: String { name }

    public static let creating = TrainingJobPhase("Creating")
    public static let pending = TrainingJobPhase("Pending")
    public static let running = TrainingJobPhase("Running")
    public static let terminating = TrainingJobPhase("Terminating")
    public static let completed = TrainingJobPhase("Completed")
    public static let failed = TrainingJobPhase("Failed")
    public static let terminated = TrainingJobPhase("Terminated")
    public static let abnormal = TrainingJobPhase("Abnormal")

    /// The phases of a job that has not ended: what a search for the jobs still worth polling asks for.
    public static let active: [TrainingJobPhase] = [.creating, .pending, .running, .terminating]
}
