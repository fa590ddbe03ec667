import Foundation
import TrainQAPI

extension StoreTables {
    /// Appends an event; its `seq` (returned) is above every seq ever committed, deleted or not.
    @discardableResult
    func appendEvent(
        submissionID: String, jobID: Int64, state: SubmissionState, remoteStatus: RemoteStatus?, reason: String?,
        at: Date
    ) throws -> Int64 {
        let insert = try statement(
            """
            INSERT INTO events (at, submission_id, job_id, state, remote_code, remote_name, reason)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        try insert.bind([
            .integer(Self.milliseconds(at)), .text(submissionID), .integer(jobID), .text(state.rawValue),
            SQLiteValue(remoteStatus?.code.map { Int64($0) }), SQLiteValue(remoteStatus?.name), SQLiteValue(reason),
        ])
        try insert.run()
        return connection.lastInsertRowID
    }

    /// The highest committed (or, inside a transaction, written) event seq; 0 when there is none.
    func lastSequence() throws -> Int64 {
        // AUTOINCREMENT's high-water mark, not MAX(seq): it never goes back when retention deletes old events,
        // so a client's `after` stays meaningful.
        let select = try statement("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)")
        defer { select.reset() }
        return try select.step() ? select.int64(0) ?? 0 : 0
    }

    /// Events above `after`, oldest first, optionally of one submission or one job.
    func events(after: Int64, submission: String?, jobID: Int64?, limit: Int) throws -> [EventView] {
        var conditions = ["seq > :after"]
        if submission != nil { conditions.append("submission_id = :submission") }
        if jobID != nil { conditions.append("job_id = :job_id") }
        let select = try statement(
            """
            SELECT seq, at, submission_id, job_id, state, remote_code, remote_name, reason FROM events
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY seq LIMIT :limit
            """)
        try select.bind(after, named: ":after")
        try select.bind(Int64(limit), named: ":limit")
        if let submission { try select.bind(submission, named: ":submission") }
        if let jobID { try select.bind(jobID, named: ":job_id") }
        var events: [EventView] = []
        while try select.step() {
            let submissionID = select.string(2) ?? ""
            events.append(
                EventView(
                    seq: select.int64(0) ?? 0, at: EpochMilliseconds.date(select.int64(1) ?? 0),
                    submission: submissionID, jobID: select.int64(3).flatMap { $0 > 0 ? $0 : nil },
                    state: try SubmissionRowDecoder.decodeState(select.string(4) ?? "", submission: submissionID),
                    remoteStatus: Self.remoteStatus(code: select.int64(5), name: select.string(6)),
                    reason: select.string(7)))
        }
        select.reset()
        return events
    }
}
