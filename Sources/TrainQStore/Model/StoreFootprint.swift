import Foundation

/// The database file's size and the oldest submission it keeps.
public struct StoreFootprint: Sendable, Hashable {
    /// Pages in use or free, times the page size (the WAL file not counted).
    public var bytes: Int64
    /// Of those, free pages not yet given back.
    public var freeBytes: Int64
    public var oldestCreatedAt: Date?
    /// Write transactions committed since the store opened, and the pages they appended to SQLite's
    /// write-ahead log; nil for a store without one (PostgreSQL).
    public var commits: Int64?
    public var walPagesWritten: Int64?

    public init(bytes: Int64, freeBytes: Int64, oldestCreatedAt: Date?, commits: Int64? = nil, walPagesWritten: Int64? = nil) {
        self.bytes = bytes
        self.freeBytes = freeBytes
        self.oldestCreatedAt = oldestCreatedAt
        self.commits = commits
        self.walPagesWritten = walPagesWritten
    }
}
