import Foundation
import JSONTree
import Logging
import PostgresNIO
import TrainQAPI
import TrainQStore

/// The store's SQL on one connection, in whatever transaction the caller opened: the PostgreSQL twin of
/// the SQLite store's `StoreTables`. Same tables, same meaning; rows decode through the shared
/// `SubmissionRowDecoder`.
struct PostgresTables {
    let connection: PostgresConnection
    let logger: Logger

    static let waitingStates = SubmissionState.sqlList(\.isWaiting)
    static let holdingStates = SubmissionState.sqlList(\.holdsJob)
    static let endedStates = SubmissionState.sqlList(\.isTerminal)

    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection.rows(query, logger: logger)
    }

    func run(_ query: PostgresQuery) async throws {
        try await connection.query(query, logger: logger)
    }

    static func ms(_ date: Date) -> Int64 { EpochMilliseconds.from(date) }
    static func ms(_ date: Date?) -> Int64? { date.map(EpochMilliseconds.from) }

    // MARK: - Rows

    /// Stores `rows` in `queued`, each with its `queued` event, in one statement
    /// (`PostgresInsertQueued`); returns the event seq of each row stored, by id.
    func insertQueued(_ rows: [QueuedRow], takenBy: String) async throws -> [String: Int64] {
        guard !rows.isEmpty else { return [:] }
        var seqs: [String: Int64] = [:]
        for try await (id, seq) in try await connection.execute(PostgresInsertQueued(rows: rows, takenBy: takenBy), logger: logger) {
            seqs[id] = seq
        }
        return seqs
    }

    func submission(id: String, includeHistory: Bool) async throws -> StoredSubmission? {
        let found = try await rows(
            PostgresQuery(unsafeSQL: "SELECT \(SubmissionRowDecoder.columns) FROM submissions WHERE id = $1", binds: Self.binds(id)))
        guard let row = found.first else { return nil }
        var stored = try SubmissionRowDecoder.decode(PostgresRowColumns(row))
        (stored.view.attempts, stored.latestAttemptServerStart) = try await attempts(of: id)
        if includeHistory {
            stored.view.history = try await history(of: id)
        }
        return stored
    }

    /// Every row `sql` selects (with `SubmissionRowDecoder.columns`), each with its attempts.
    func submissions(_ sql: String, binds: PostgresBindings) async throws -> [StoredSubmission] {
        var stored = try await rows(PostgresQuery(unsafeSQL: sql, binds: binds)).map { row in
            try SubmissionRowDecoder.decode(PostgresRowColumns(row))
        }
        for index in stored.indices {
            (stored[index].view.attempts, stored[index].latestAttemptServerStart) = try await attempts(of: stored[index].id)
        }
        return stored
    }

    func attempts(of id: String) async throws -> ([AttemptView], Date?) {
        var attempts: [AttemptView] = []
        var latestServerStart: Date?
        for row in try await rows(
            """
            SELECT number::int8, started_at, finished_at, outcome, http_status::int8, error_code, message, request_id,
                delay_ms, server_started_at
            FROM attempts WHERE submission_id = \(id) ORDER BY number
            """)
        {
            let (number, startedAt, finishedAt, outcome, httpStatus, errorCode, message, requestID, delayMS, serverStart) =
                try row.decode((Int64, Int64, Int64?, String?, Int64?, String?, String?, String?, Int64?, Int64?).self)
            latestServerStart = serverStart.map(EpochMilliseconds.date)
            attempts.append(
                AttemptView(
                    number: Int(number), startedAt: EpochMilliseconds.date(startedAt),
                    finishedAt: finishedAt.map(EpochMilliseconds.date), outcome: outcome, httpStatus: httpStatus.map { Int($0) },
                    errorCode: errorCode, message: message, requestID: requestID, delayMS: delayMS))
        }
        return (attempts, latestServerStart)
    }

    func history(of id: String) async throws -> [HistoryEntry] {
        try await rows(
            """
            SELECT seq, at, state, remote_code::int8, remote_name, reason FROM events WHERE submission_id = \(id) ORDER BY seq
            """
        ).map { row in
            let (seq, at, state, code, name, reason) = try row.decode((Int64, Int64, String, Int64?, String?, String?).self)
            return HistoryEntry(
                seq: seq, at: EpochMilliseconds.date(at), state: try SubmissionRowDecoder.decodeState(state, submission: id),
                remoteStatus: Self.remoteStatus(code: code, name: name), reason: reason)
        }
    }

    func keyed(ownerUID: UInt32, idempotencyKey: String) async throws -> [KeyedSubmission] {
        let end = idempotencyKey + IdempotencyKeys.rangeEnd
        return try await rows(
            """
            SELECT id, fingerprint, idempotency_key FROM submissions
            WHERE owner_uid = \(Int64(ownerUID)) AND idempotency_key >= \(idempotencyKey) AND idempotency_key < \(end)
                AND idempotency_key IS NOT NULL
            """
        ).map { row in
            let (id, fingerprint, key) = try row.decode((String, Data, String).self)
            return KeyedSubmission(
                id: id, fingerprint: fingerprint, batchIndex: IdempotencyKeys.batchIndex(of: key, under: idempotencyKey))
        }
    }

    /// The next waiting submission of every job that has one. PostgreSQL has no skip scan: `DISTINCT ON`
    /// read every waiting row (20 ms a claim with 20,000 queued on one job, most of the server's CPU under
    /// intake), so a recursive query steps from job to job in `submissions_waiting_by_job`, one index seek
    /// per job and one for its head.
    func waitingHeads() async throws -> [WaitingHead] {
        try await rows(PostgresQuery(unsafeSQL: Self.waitingHeadsSQL)).map { row in
            let (id, state, projectID, jobID, next) = try row.decode((String, String, String, Int64, Int64?).self)
            return WaitingHead(
                id: id, job: JobKey(projectID: projectID, jobID: jobID),
                isQueued: try SubmissionRowDecoder.decodeState(state, submission: id) == .queued,
                nextAttemptAt: next.map(EpochMilliseconds.date))
        }
    }

    static let waitingHeadsSQL = """
        WITH RECURSIVE jobs (project_id, job_id) AS (
            (SELECT project_id, job_id FROM submissions WHERE state IN (\(Self.waitingStates))
                ORDER BY project_id, job_id LIMIT 1)
            UNION ALL
            SELECT later.project_id, later.job_id FROM jobs, LATERAL (
                SELECT s.project_id, s.job_id FROM submissions s
                WHERE s.state IN (\(Self.waitingStates)) AND (s.project_id, s.job_id) > (jobs.project_id, jobs.job_id)
                ORDER BY s.project_id, s.job_id LIMIT 1) later
        )
        SELECT head.id, head.state, head.project_id, head.job_id, head.next_attempt_at FROM jobs, LATERAL (
            SELECT s.id, s.state, s.project_id, s.job_id, s.next_attempt_at FROM submissions s
            WHERE s.state IN (\(Self.waitingStates)) AND s.project_id = jobs.project_id AND s.job_id = jobs.job_id
            ORDER BY s.next_attempt_at, s.id LIMIT 1) head
        """

    /// Jobs with a create in flight or of unknown outcome.
    func jobsWithOpenCreate() async throws -> Set<JobKey> {
        Set(
            try await rows(
                PostgresQuery(
                    unsafeSQL: "SELECT DISTINCT project_id, job_id FROM submissions WHERE state IN (\(Self.holdingStates))")
            ).map { row in
                let (projectID, jobID) = try row.decode((String, Int64).self)
                return JobKey(projectID: projectID, jobID: jobID)
            })
    }

    // MARK: - Writes

    /// Compare-and-set of the state with the accompanying changes; false when the row is not in `from`.
    func updateState(
        id: String, from: SubmissionState, to: SubmissionState, changes: SubmissionChanges, countsAttempt: Bool,
        reason: String?, at: Date
    ) async throws -> Bool {
        let (setError, lastError) = changes.lastError.written
        let atMS = Self.ms(at)
        let increment = Int64((countsAttempt ? 1 : 0) - (changes.refundAttempt ? 1 : 0))
        let remoteAt = Self.ms(changes.remoteStatus.map { $0.at ?? at })
        return try await !rows(
            """
            UPDATE submissions SET
                state = \(to.rawValue),
                updated_at = \(atMS),
                reason = \(reason),
                next_attempt_at = \(Self.ms(changes.nextAttemptAt)),
                attempt_count = GREATEST(0, CASE WHEN \(changes.resetBudget) THEN 0 ELSE attempt_count END + \(increment)),
                budget_started_at = CASE WHEN \(changes.resetBudget) THEN \(atMS) ELSE budget_started_at END,
                version_id = CASE WHEN \(changes.version != nil) THEN \(changes.version?.id) ELSE version_id END,
                version_name = CASE WHEN \(changes.version != nil) THEN \(changes.version?.name) ELSE version_name END,
                version_created_at = CASE WHEN \(changes.version != nil) THEN \(Self.ms(changes.version?.createdAt))
                    WHEN \(changes.trainingJob != nil) THEN \(Self.ms(changes.trainingJob?.createdAt)) ELSE version_created_at END,
                training_job_id = CASE WHEN \(changes.trainingJob != nil) THEN \(changes.trainingJob?.id) ELSE training_job_id END,
                remote_code = CASE WHEN \(changes.remoteStatus != nil) THEN \(changes.remoteStatus?.code.map { Int64($0) })
                    ELSE remote_code END,
                remote_name = CASE WHEN \(changes.remoteStatus != nil) THEN \(changes.remoteStatus?.name) ELSE remote_name END,
                remote_at = CASE WHEN \(changes.remoteStatus != nil) THEN \(remoteAt) ELSE remote_at END,
                remote_snapshot = CASE WHEN \(changes.remoteSnapshot != nil) THEN \(changes.remoteSnapshot?.canonicalData())
                    ELSE remote_snapshot END,
                start_time = CASE WHEN \(changes.timing != nil) THEN \(Self.ms(changes.timing?.startTime)) ELSE start_time END,
                duration_ms = CASE WHEN \(changes.timing != nil) THEN \(changes.timing?.durationMS) ELSE duration_ms END,
                last_error_http_status = CASE WHEN \(setError) THEN \(lastError?.httpStatus.map { Int64($0) })
                    ELSE last_error_http_status END,
                last_error_code = CASE WHEN \(setError) THEN \(lastError?.code) ELSE last_error_code END,
                last_error_message = CASE WHEN \(setError) THEN \(lastError?.message) ELSE last_error_message END,
                relist_count = CASE WHEN \(changes.relist != nil) THEN \(Int64(changes.relist?.emptyListings ?? 0)) ELSE relist_count END,
                relist_at = CASE WHEN \(changes.relist != nil) THEN \(Self.ms(changes.relist?.nextListingAt)) ELSE relist_at END
            WHERE id = \(id) AND state = \(from.rawValue)
            RETURNING id
            """
        ).isEmpty
    }

    func updateRelistProgress(id: String, in state: SubmissionState, progress: RelistProgress) async throws -> Bool {
        try await !rows(
            """
            UPDATE submissions SET relist_count = \(Int64(progress.emptyListings)), relist_at = \(Self.ms(progress.nextListingAt))
            WHERE id = \(id) AND state = \(state.rawValue) RETURNING id
            """
        ).isEmpty
    }

    func updateRemoteStatus(
        id: String, in state: SubmissionState, status: RemoteStatus, snapshot: JSONValue?, timing: RemoteTiming?, at: Date
    ) async throws -> Bool {
        try await !rows(
            """
            UPDATE submissions SET
                updated_at = \(Self.ms(at)),
                remote_code = \(status.code.map { Int64($0) }),
                remote_name = \(status.name),
                remote_at = \(Self.ms(status.at ?? at)),
                remote_snapshot = COALESCE(\(snapshot?.canonicalData()), remote_snapshot),
                start_time = CASE WHEN \(timing != nil) THEN \(Self.ms(timing?.startTime)) ELSE start_time END,
                duration_ms = CASE WHEN \(timing != nil) THEN \(timing?.durationMS) ELSE duration_ms END
            WHERE id = \(id) AND state = \(state.rawValue)
            RETURNING id
            """
        ).isEmpty
    }

    func beginAttempt(submissionID: String, at: Date, serverEarliest: Date?) async throws {
        try await run(
            """
            INSERT INTO attempts (submission_id, number, started_at, server_started_at)
            VALUES (\(submissionID), (SELECT COALESCE(MAX(number), 0) + 1 FROM attempts WHERE submission_id = \(submissionID)),
                \(Self.ms(at)), \(Self.ms(serverEarliest)))
            """)
    }

    func finishLatestAttempt(submissionID: String, result: AttemptResult) async throws -> Bool {
        try await !rows(
            """
            UPDATE attempts SET
                finished_at = \(Self.ms(result.finishedAt)),
                outcome = \(result.outcome),
                http_status = COALESCE(\(result.httpStatus.map { Int64($0) })::int8, http_status),
                error_code = COALESCE(\(result.errorCode), error_code),
                message = COALESCE(\(result.message), message),
                request_id = COALESCE(\(result.requestID), request_id),
                delay_ms = COALESCE(\(result.delayMS), delay_ms)
            WHERE submission_id = \(submissionID)
                AND number = (SELECT MAX(number) FROM attempts WHERE submission_id = \(submissionID))
            RETURNING number
            """
        ).isEmpty
    }

    func interruptOpenAttempts(submissionID: String, at: Date) async throws {
        try await run(
            """
            UPDATE attempts SET finished_at = \(Self.ms(at)), outcome = 'interrupted'
            WHERE submission_id = \(submissionID) AND finished_at IS NULL
            """)
    }

    // MARK: - Events

    /// Appends `event` with the next seq from the event counter, whose row lock (held to commit) gives
    /// seqs in commit order.
    func appendEvent(_ event: EventDraft) async throws -> Int64 {
        guard let seq = try await rows("UPDATE event_counter SET seq = seq + 1 RETURNING seq").first?.decode(Int64.self)
        else { throw StoreError(kind: .corruptRow, reason: "the event counter row is missing") }
        try await run(
            """
            INSERT INTO events (seq, at, submission_id, job_id, state, remote_code, remote_name, reason)
            OVERRIDING SYSTEM VALUE
            VALUES (\(seq), \(Self.ms(event.at)), \(event.submissionID), \(event.jobID), \(event.state.rawValue),
                \(event.remoteStatus?.code.map { Int64($0) }), \(event.remoteStatus?.name), \(event.reason))
            """)
        return seq
    }

    static func remoteStatus(code: Int64?, name: String?) -> RemoteStatus? {
        guard let name else { return nil }
        return RemoteStatus(code: code.map { Int($0) }, name: name)
    }

    static func binds(_ values: String...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        return binds
    }
}

/// An event to append.
struct EventDraft: Sendable {
    var submissionID: String
    var jobID: Int64
    var state: SubmissionState
    var remoteStatus: RemoteStatus?
    var reason: String?
    var at: Date
}
