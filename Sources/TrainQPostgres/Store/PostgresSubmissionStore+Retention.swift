import Foundation
import JSONTree
import Synchronization
import PostgresNIO
import TrainQAPI
import TrainQStore

extension PostgresSubmissionStore {
    /// Deletes up to `limit` ended submissions last changed before `cutoff`, with their attempts and
    /// events (by the foreign keys' cascade). Any daemon may prune; two at once delete different rows.
    public func pruneEnded(before cutoff: Date, limit: Int) async throws -> Int {
        let sql = """
            DELETE FROM submissions WHERE id IN (
                SELECT id FROM submissions WHERE state IN (\(PostgresTables.endedStates)) AND updated_at < $1
                ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED)
            RETURNING id
            """
        var binds = PostgresBindings()
        binds.append(EpochMilliseconds.from(cutoff))
        binds.append(Int64(max(limit, 0)))
        return try await transaction("prune ended submissions") { [binds] connection in
            try await connection.rows(PostgresQuery(unsafeSQL: sql, binds: binds), logger: self.logger).count
        }
    }

    /// PostgreSQL's autovacuum gives space back; there are no free pages to hand back here.
    public func releaseFreePages(_ pages: Int) async throws -> Int { 0 }

    /// The database's size as PostgreSQL counts it, and the oldest submission kept.
    public func footprint() async throws -> StoreFootprint {
        try await read("measure the database") { connection in
            let row = try await connection.rows(
                "SELECT pg_database_size(current_database()), (SELECT MIN(created_at) FROM submissions)", logger: self.logger
            ).first
            let (bytes, oldest): (Int64, Int64?) = try row?.decode((Int64, Int64?).self) ?? (0, nil)
            return StoreFootprint(bytes: bytes, freeBytes: 0, oldestCreatedAt: oldest.map(EpochMilliseconds.date))
        }
    }
}
