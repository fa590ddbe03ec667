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
            INSERT INTO events (seq, at, submission_id, job_id, state, remote_code, remote_name, reason)
            VALUES (\(Self.nextSequence), ?, ?, ?, ?, ?, ?, ?)
            """)
        try insert.bind([
            .integer(Self.milliseconds(at)), .text(submissionID), .integer(jobID), .text(state.rawValue),
            SQLiteValue(remoteStatus?.code.map { Int64($0) }), SQLiteValue(remoteStatus?.name), SQLiteValue(reason),
        ])
        try insert.run()
        return connection.lastInsertRowID
    }

    /// The highest seq ever handed out: the newest event's, or the newest that retention deleted. Both
    /// reads are one page: the rightmost leaf of `events` and the one row of `events_high_water`.
    static let highestSequence =
        "max(COALESCE((SELECT MAX(seq) FROM events), 0), COALESCE((SELECT seq FROM events_high_water), 0))"
    /// A new event's seq (schema step 10): never one handed out before.
    static let nextSequence = "(\(highestSequence) + 1)"

    /// The highest committed (or, inside a transaction, written) event seq; 0 when there is none.
    func lastSequence() throws -> Int64 {
        // Not MAX(seq) alone: it never goes back when retention deletes the newest events, so a client's
        // `after` stays meaningful.
        let select = try statement("SELECT \(Self.highestSequence)")
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
