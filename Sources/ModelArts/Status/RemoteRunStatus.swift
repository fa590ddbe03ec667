/// The status of whatever a submission created, a v1 version or a v2 training job, in the terms the
/// state machine decides on: so the machine never asks which API it is.
public struct RemoteRunStatus: Sendable, Hashable, CustomStringConvertible {
    /// The v1 status code; nil for a v2 phase.
    public var code: Int?
    /// `JOBSTAT_RUNNING`, or a v2 phase such as `Running`.
    public var name: String
    public var category: VersionStatus.Category
    /// How many polls in a row must see a terminal status before it counts: 1 for a v1 version, 2 for
    /// a v2 job, which can be restarted or preempted after reading `Failed` (errata §4.4).
    public var confirmationsNeeded: Int

    public init(code: Int?, name: String, category: VersionStatus.Category, confirmationsNeeded: Int) {
        self.code = code
        self.name = name
        self.category = category
        self.confirmationsNeeded = confirmationsNeeded
    }

    public init(_ status: VersionStatus) {
        self.init(code: status.code, name: status.displayName, category: status.category, confirmationsNeeded: 1)
    }

    public init(_ phase: TrainingJobPhase) {
        self.init(code: nil, name: phase.name, category: phase.category, confirmationsNeeded: 2)
    }

    public var isTerminal: Bool { category.isTerminal }

    public var description: String { code.map { "\($0) \(name)" } ?? name }
}
