import Foundation

/// The database file's size and the oldest submission it keeps.
public struct StoreFootprint: Sendable, Hashable {
    /// Pages in use or free, times the page size (the WAL file not counted).
    public var bytes: Int64
    /// Of those, free pages not yet given back.
    public var freeBytes: Int64
    public var oldestCreatedAt: Date?

    public init(bytes: Int64, freeBytes: Int64, oldestCreatedAt: Date?) {
        self.bytes = bytes
        self.freeBytes = freeBytes
        self.oldestCreatedAt = oldestCreatedAt
    }
}
