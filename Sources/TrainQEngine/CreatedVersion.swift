import Foundation

/// The version a create produced (or that reconciliation found): what tracking starts from.
public struct CreatedVersion: Sendable, Hashable {
    public var versionID: Int64
    public var versionName: String?
    /// The numeric remote status at creation (normally 1, JOBSTAT_INIT).
    public var status: Int?
    public var createTime: Date?

    public init(versionID: Int64, versionName: String? = nil, status: Int? = nil, createTime: Date? = nil) {
        self.versionID = versionID
        self.versionName = versionName
        self.status = status
        self.createTime = createTime
    }
}
