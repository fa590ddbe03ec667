/// The numeric `status` of a training-job version (reference §3), with its documented name and what it
/// means for a tracker.
///
/// Which statuses are terminal is INFERENCE from the names (no document says). Unknown and unlisted codes
/// are treated as non-terminal: a tracker keeps polling and alerts, rather than declaring an outcome the
/// service never reported.
public struct VersionStatus: Sendable, Hashable, CustomStringConvertible {
    public let code: Int

    public init(code: Int) {
        self.code = code
    }

    /// How a status ends a version, if it does.
    public enum Category: String, Sendable, Hashable, CaseIterable {
        case inProgress = "in_progress"
        case succeeded
        case failed
        case stopped
        /// 0 JOBSTAT_UNKNOWN or a code not in the table: keep polling, alert if it persists.
        case unknown

        public var isTerminal: Bool {
            switch self {
            case .succeeded, .failed, .stopped: true
            case .inProgress, .unknown: false
            }
        }
    }

    /// `JOBSTAT_...`, or `nil` for a code the table does not list.
    public var name: String? { Self.names[code] }

    /// The name, or `STATUS_<code>` for an unlisted code, for logs and the socket API.
    public var displayName: String { name ?? "STATUS_\(code)" }

    public var category: Category {
        switch code {
        case 10, 20: .succeeded
        case 3, 5, 6, 11, 14, 16, 17, 21: .failed
        case 12, 13: .stopped
        case 1, 2, 4, 7, 8, 9, 15, 18, 19: .inProgress
        default: .unknown
        }
    }

    public var isTerminal: Bool { category.isTerminal }

    public var description: String { "\(code) \(displayName)" }

    /// The documented table, 0–21.
    public static let names: [Int: String] = [
        0: "JOBSTAT_UNKNOWN",
        1: "JOBSTAT_INIT",
        2: "JOBSTAT_IMAGE_CREATING",
        3: "JOBSTAT_IMAGE_FAILED",
        4: "JOBSTAT_SUBMIT_TRYING",
        5: "JOBSTAT_SUBMIT_FAILED",
        6: "JOBSTAT_DELETE_FAILED",
        7: "JOBSTAT_WAITING",
        8: "JOBSTAT_RUNNING",
        9: "JOBSTAT_KILLING",
        10: "JOBSTAT_COMPLETED",
        11: "JOBSTAT_FAILED",
        12: "JOBSTAT_KILLED",
        13: "JOBSTAT_CANCELED",
        14: "JOBSTAT_LOST",
        15: "JOBSTAT_SCALING",
        16: "JOBSTAT_SUBMIT_MODEL_FAILED",
        17: "JOBSTAT_DEPLOY_SERVICE_FAILED",
        18: "JOBSTAT_CHECK_INIT",
        19: "JOBSTAT_CHECK_RUNNING",
        20: "JOBSTAT_CHECK_RUNNING_COMPLETED",
        21: "JOBSTAT_CHECK_FAILED",
    ]

    public static let initializing = VersionStatus(code: 1)
    public static let running = VersionStatus(code: 8)
    public static let killing = VersionStatus(code: 9)
    public static let completed = VersionStatus(code: 10)
    public static let failed = VersionStatus(code: 11)
    public static let killed = VersionStatus(code: 12)
}
