import Foundation
import TrainQAPI

extension StoreTables {
    /// One submission with its attempts, and its history when asked.
    func submission(id: String, includeHistory: Bool) throws -> StoredSubmission? {
        let select = try statement("SELECT \(SubmissionRowDecoder.columns) FROM submissions WHERE id = ?")
        try select.bind(.text(id), at: 1)
        guard try select.step() else { return nil }
        var stored = try SubmissionRowDecoder.decode(select)
        select.reset()
        (stored.view.attempts, stored.latestAttemptServerStart) = try attempts(of: id)
        if includeHistory {
            stored.view.history = try history(of: id)
        }
        return stored
    }

    /// Every row a query selects (with `SubmissionRowDecoder.columns`), each with its attempts.
    func submissions(from select: SQLiteStatement) throws -> [StoredSubmission] {
        var rows: [StoredSubmission] = []
        while try select.step() {
            rows.append(try SubmissionRowDecoder.decode(select))
        }
        select.reset()
        for index in rows.indices {
            (rows[index].view.attempts, rows[index].latestAttemptServerStart) = try attempts(of: rows[index].id)
        }
        return rows
    }

    /// The attempts as the API shows them, and the service-clock start of the latest one.
    func attempts(of id: String) throws -> ([AttemptView], Date?) {
        let select = try statement(
            """
            SELECT number, started_at, finished_at, outcome, http_status, error_code, message, request_id, delay_ms,
                server_started_at
            FROM attempts WHERE submission_id = ? ORDER BY number
            """)
        try select.bind(.text(id), at: 1)
        var attempts: [AttemptView] = []
        var latestServerStart: Date?
        while try select.step() {
            latestServerStart = select.int64(9).map(EpochMilliseconds.date)
            attempts.append(
                AttemptView(
                    number: Int(select.int64(0) ?? 0), startedAt: EpochMilliseconds.date(select.int64(1) ?? 0),
                    finishedAt: select.int64(2).map(EpochMilliseconds.date), outcome: select.string(3),
                    httpStatus: select.int64(4).map { Int($0) }, errorCode: select.string(5), message: select.string(6),
                    requestID: select.string(7), delayMS: select.int64(8)))
        }
        select.reset()
        return (attempts, latestServerStart)
    }

    func history(of id: String) throws -> [HistoryEntry] {
        let select = try statement(
            "SELECT seq, at, state, remote_code, remote_name, reason FROM events WHERE submission_id = ? ORDER BY seq")
        try select.bind(.text(id), at: 1)
        var entries: [HistoryEntry] = []
        while try select.step() {
            let seq = select.int64(0) ?? 0
            entries.append(
                HistoryEntry(
                    seq: seq, at: EpochMilliseconds.date(select.int64(1) ?? 0),
                    state: try SubmissionRowDecoder.decodeState(select.string(2) ?? "", submission: id),
                    remoteStatus: Self.remoteStatus(code: select.int64(3), name: select.string(4)),
                    reason: select.string(5)))
        }
        select.reset()
        return entries
    }

    /// What an owner stored under an idempotency key: the one submission of a single request, or
    /// the items of a batch, whose keys are `key` + `IdempotencyKeys.batchSeparator` + index. One
    /// range of the unique index finds both, because a caller's key is visible ASCII and every such
    /// character sorts after the separator.
    func submissions(ownerUID: UInt32, idempotencyKey: String) throws -> [KeyedSubmission] {
        let select = try statement(
            """
            SELECT id, fingerprint, idempotency_key FROM submissions
            WHERE owner_uid = ? AND idempotency_key >= ? AND idempotency_key < ?
            """)
        try select.bind([
            .integer(Int64(ownerUID)), .text(idempotencyKey), .text(idempotencyKey + IdempotencyKeys.rangeEnd),
        ])
        defer { select.reset() }
        var found: [KeyedSubmission] = []
        while try select.step(), let id = select.string(0), let key = select.string(2) {
            found.append(KeyedSubmission(
                id: id, fingerprint: select.data(1) ?? Data(),
                batchIndex: IdempotencyKeys.batchIndex(of: key, under: idempotencyKey)))
        }
        return found
    }

    /// `queued` rows, and `retrying` rows whose time has come; the longest-waiting first.
    /// The next waiting submission of every job that has one: its first `queued` or `retrying` row in
    /// `(next_attempt_at, id)` order. A recursive query walks the `submissions_waiting_by_job` index with
    /// one seek per job, however long each job's backlog is. `INDEXED BY` because without statistics
    /// the planner may pick a state index instead and sort every waiting row.
    func waitingHeads() throws -> [WaitingHead] {
        let select = try statement(
            """
            WITH RECURSIVE heads(rid, project_id, job_id) AS (
                SELECT * FROM (
                    SELECT rowid, project_id, job_id FROM submissions INDEXED BY submissions_waiting_by_job
                    WHERE state IN ('queued', 'retrying')
                    ORDER BY project_id, job_id, next_attempt_at, id LIMIT 1)
                UNION ALL
                SELECT s.rowid, s.project_id, s.job_id FROM heads JOIN submissions s ON s.rowid = COALESCE(
                    (SELECT w.rowid FROM submissions w INDEXED BY submissions_waiting_by_job
                        WHERE w.state IN ('queued', 'retrying') AND w.project_id = heads.project_id AND w.job_id > heads.job_id
                        ORDER BY w.job_id, w.next_attempt_at, w.id LIMIT 1),
                    (SELECT w.rowid FROM submissions w INDEXED BY submissions_waiting_by_job
                        WHERE w.state IN ('queued', 'retrying') AND w.project_id > heads.project_id
                        ORDER BY w.project_id, w.job_id, w.next_attempt_at, w.id LIMIT 1))
            )
            SELECT s.id, s.state, s.project_id, s.job_id, s.next_attempt_at FROM heads JOIN submissions s ON s.rowid = heads.rid
            """)
        defer { select.reset() }
        var heads: [WaitingHead] = []
        while try select.step() {
            guard let id = select.string(0), let state = select.string(1), let projectID = select.string(2),
                let jobID = select.int64(3)
            else { throw SubmissionRowDecoder.corrupt("a waiting submission without id, state, project or job") }
            heads.append(WaitingHead(
                id: id, job: JobKey(projectID: projectID, jobID: jobID),
                isQueued: try SubmissionRowDecoder.decodeState(state, submission: id) == .queued,
                nextAttemptAt: select.int64(4).map(EpochMilliseconds.date)))
        }
        return heads
    }

    /// Every row in `state`, oldest first.
    func submissions(in state: SubmissionState) throws -> [StoredSubmission] {
        let select = try statement(
            "SELECT \(SubmissionRowDecoder.columns) FROM submissions WHERE state = ? ORDER BY created_at, id")
        try select.bind(.text(state.rawValue), at: 1)
        return try submissions(from: select)
    }

    func countsByState() throws -> [SubmissionState: Int] {
        let select = try statement("SELECT state, COUNT(*) FROM submissions GROUP BY state")
        var counts = Dictionary(uniqueKeysWithValues: SubmissionState.allCases.map { ($0, 0) })
        while try select.step() {
            let name = select.string(0) ?? ""
            let state = try SubmissionRowDecoder.decodeState(name, submission: "(count)")
            counts[state] = Int(select.int64(1) ?? 0)
        }
        select.reset()
        return counts
    }

    /// The earliest due time among rows that are due at `now`: the oldest of the jobs' next waiting
    /// submissions, since each of those is the earliest of its job.
    func oldestDueDate(now: Date) throws -> Date? {
        DueWork.oldestDue(of: try waitingHeads(), now: now)
    }

    /// Jobs with a create in flight or of unknown outcome: no new create may start for them.
    func jobsWithOpenCreate() throws -> Set<JobKey> {
        let select = try statement(
            """
            SELECT DISTINCT project_id, job_id FROM submissions
            WHERE state IN (\(StoreTables.jobHoldingStateList))
            """)
        var jobs: Set<JobKey> = []
        while try select.step() {
            jobs.insert(JobKey(projectID: select.string(0) ?? "", jobID: select.int64(1) ?? 0))
        }
        select.reset()
        return jobs
    }

    /// A v1 status has a code and a name, a v2 phase only a name; a row with neither has none.
    static func remoteStatus(code: Int64?, name: String?) -> RemoteStatus? {
        guard let name else { return nil }
        return RemoteStatus(code: code.map { Int($0) }, name: name)
    }
}
