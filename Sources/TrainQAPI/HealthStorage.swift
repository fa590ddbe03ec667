import Foundation

/// The database in `GET /v1/health`: its size, and the oldest submission it keeps (retention deletes
/// ended ones after `retention.terminal`).
public struct HealthStorage: Sendable, Codable, Hashable {
    /// The file's size in bytes (the WAL file not counted).
    public var bytes: Int64
    /// Of those, free pages not yet given back to the file system.
    public var freeBytes: Int64
    /// When the oldest submission kept was created; absent for an empty store.
    public var oldestKeptAt: Date?

    public init(bytes: Int64, freeBytes: Int64, oldestKeptAt: Date?) {
        self.bytes = bytes
        self.freeBytes = freeBytes
        self.oldestKeptAt = oldestKeptAt
    }

    enum CodingKeys: String, CodingKey {
        case bytes
        case freeBytes = "free_bytes"
        case oldestKeptAt = "oldest_kept_at"
    }
}
