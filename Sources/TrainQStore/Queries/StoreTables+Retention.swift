import Foundation
import TrainQAPI

/// What retention reads and deletes: ended submissions with everything that belongs to them.
extension StoreTables {
    /// The ended states as an SQL list; the partial index `submissions_ended` is on the same list, so the
    /// query can use it.
    static let endedStateList = SubmissionState.sqlList(\.isTerminal)
    /// The states whose create holds the job, as an SQL list.
    static let jobHoldingStateList = SubmissionState.sqlList(\.holdsJob)

    /// Ended submissions last changed before `cutoff`, oldest change first, at most `limit`.
    func ended(before cutoff: Date, limit: Int) throws -> [String] {
        let select = try statement(
            """
            SELECT id FROM submissions INDEXED BY submissions_ended
            WHERE state IN (\(Self.endedStateList)) AND updated_at < :cutoff
            ORDER BY updated_at LIMIT :limit
            """)
        defer { select.reset() }
        try select.bind([":cutoff": .integer(Self.milliseconds(cutoff)), ":limit": .integer(Int64(limit))])
        var ids: [String] = []
        while try select.step() {
            if let id = select.string(0) { ids.append(id) }
        }
        return ids
    }

    /// Deletes the submissions, their attempts and their events. The newest seq is kept in
    /// `events_high_water` first, once for all of them, so no later event gets a seq a client has seen.
    func deleteSubmissions(ids: [String]) throws {
        guard !ids.isEmpty else { return }
        try statement("UPDATE events_high_water SET seq = \(Self.highestSequence)").run()
        for id in ids { try deleteSubmission(id: id) }
    }

    private func deleteSubmission(id: String) throws {
        for sql in [
            "DELETE FROM events WHERE submission_id = :id",
            "DELETE FROM attempts WHERE submission_id = :id",
            "DELETE FROM submissions WHERE id = :id",
        ] {
            let delete = try statement(sql)
            try delete.bind([":id": .text(id)])
            try delete.run()
        }
    }

    /// When the oldest submission kept was created; nil for an empty store.
    func oldestCreatedAt() throws -> Date? {
        let select = try statement("SELECT MIN(created_at) FROM submissions")
        defer { select.reset() }
        guard try select.step(), let milliseconds = select.int64(0) else { return nil }
        return EpochMilliseconds.date(milliseconds)
    }
}
