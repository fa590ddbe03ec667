import Foundation

/// Retention: ended submissions go, with their attempts and events, once they are old enough; the file
/// gives the space back.
extension SubmissionStore {
    /// Deletes at most `limit` ended submissions last changed before `cutoff`, in one short transaction,
    /// so the writer is never held for long. Returns how many went.
    public func pruneEnded(before cutoff: Date, limit: Int) throws -> Int {
        try write { tables in
            let ids = try tables.ended(before: cutoff, limit: limit)
            try tables.deleteSubmissions(ids: ids)
            return ids.count
        }
    }

    /// Gives up to `pages` free pages back to the file system (`auto_vacuum=INCREMENTAL`); returns how
    /// many free pages are left.
    @discardableResult
    public func releaseFreePages(_ pages: Int) throws -> Int {
        let connection = try openConnection()
        do {
            let vacuum = try connection.prepare("PRAGMA incremental_vacuum(\(max(pages, 0)))")
            // The pragma frees one page per step.
            while try vacuum.step() {}
            return Int(try connection.scalarInt64("PRAGMA freelist_count") ?? 0)
        } catch {
            throw failure(error, during: "incremental vacuum")
        }
    }

    /// How big the database is, and how far back it reaches.
    public func footprint() throws -> StoreFootprint {
        let connection = try openConnection()
        do {
            let pageSize = try connection.scalarInt64("PRAGMA page_size") ?? 0
            let pages = try connection.scalarInt64("PRAGMA page_count") ?? 0
            let free = try connection.scalarInt64("PRAGMA freelist_count") ?? 0
            let oldest = try StoreTables(connection: connection).oldestCreatedAt()
            let wal = connection.walWriteCounter
            return StoreFootprint(
                bytes: pageSize * pages, freeBytes: pageSize * free, oldestCreatedAt: oldest,
                commits: wal?.commits, walPagesWritten: wal?.framesWritten)
        } catch {
            throw failure(error, during: "footprint")
        }
    }
}
