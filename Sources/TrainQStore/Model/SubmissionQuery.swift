import TrainQAPI

/// Filters and page of `SubmissionStore.list`: newest first, keyset-paginated.
public struct SubmissionQuery: Sendable, Hashable {
    public static let defaultLimit = 50
    public static let maximumLimit = 500

    public var state: SubmissionState?
    public var jobID: Int64?
    public var ownerUID: UInt32?
    /// Page size: at least 1; values above `maximumLimit` are lowered to it.
    public var limit: Int
    /// The `next_cursor` of the previous page, as handed out.
    public var cursor: String?

    public init(
        state: SubmissionState? = nil, jobID: Int64? = nil, ownerUID: UInt32? = nil, limit: Int = Self.defaultLimit,
        cursor: String? = nil
    ) {
        self.state = state
        self.jobID = jobID
        self.ownerUID = ownerUID
        self.limit = limit
        self.cursor = cursor
    }
}
