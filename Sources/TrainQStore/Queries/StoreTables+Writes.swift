import Foundation
import JSONTree
import TrainQAPI

extension StoreTables {
    /// Inserts a new `queued` row and its first event; returns the event's seq.
    func insertSubmission(_ new: NewSubmission, id: String, requestBytes: Data, fingerprint: Data) throws -> Int64 {
        let insert = try statement(
            """
            INSERT INTO submissions (id, state, owner_uid, owner_user, project_id, job_id, request, idempotency_key,
                fingerprint, created_at, updated_at, next_attempt_at, attempt_count, budget_started_at, api,
                training_job_name, from_job)
            VALUES (:id, 'queued', :owner_uid, :owner_user, :project_id, :job_id, :request, :key,
                :fingerprint, :at, :at, :next_attempt_at, 0, :at, :api, :training_job_name, :from_job)
            """)
        let at = Self.milliseconds(new.at)
        try insert.bind([
            ":id": .text(id), ":owner_uid": .integer(Int64(new.owner.uid)), ":owner_user": .text(new.owner.user),
            ":project_id": .text(new.projectID), ":job_id": .integer(new.jobID), ":request": .blob(requestBytes),
            ":key": SQLiteValue(new.idempotencyKey), ":fingerprint": .blob(fingerprint), ":at": .integer(at),
            // A new submission is due at once.
            ":next_attempt_at": .integer(at),
            ":api": .text(new.api.rawValue), ":training_job_name": SQLiteValue(new.trainingJobName),
            ":from_job": SQLiteValue(new.fromJob),
        ])
        try insert.run()
        return try appendEvent(
            submissionID: id, jobID: new.jobID, state: .queued, remoteStatus: nil, reason: nil, at: new.at)
    }

    /// Compare-and-set of the state with the accompanying changes. False when the row is not in
    /// `from` (or does not exist); nothing is written then.
    func updateState(
        id: String, from: SubmissionState, to: SubmissionState, changes: SubmissionChanges, countsAttempt: Bool,
        reason: String?, at: Date
    ) throws -> Bool {
        let update = try statement(
            """
            UPDATE submissions SET
                state = :to,
                updated_at = :at,
                reason = :reason,
                next_attempt_at = :next_attempt_at,
                attempt_count = MAX(0, CASE WHEN :reset THEN 0 ELSE attempt_count END + :attempt_increment),
                budget_started_at = CASE WHEN :reset THEN :at ELSE budget_started_at END,
                version_id = CASE WHEN :set_version THEN :version_id ELSE version_id END,
                version_name = CASE WHEN :set_version THEN :version_name ELSE version_name END,
                version_created_at = CASE WHEN :set_version THEN :version_created_at
                    WHEN :set_training_job THEN :training_job_created_at ELSE version_created_at END,
                training_job_id = CASE WHEN :set_training_job THEN :training_job_id ELSE training_job_id END,
                remote_code = CASE WHEN :set_remote THEN :remote_code ELSE remote_code END,
                remote_name = CASE WHEN :set_remote THEN :remote_name ELSE remote_name END,
                remote_at = CASE WHEN :set_remote THEN :remote_at ELSE remote_at END,
                remote_snapshot = CASE WHEN :set_snapshot THEN :remote_snapshot ELSE remote_snapshot END,
                start_time = CASE WHEN :set_timing THEN :start_time ELSE start_time END,
                duration_ms = CASE WHEN :set_timing THEN :duration_ms ELSE duration_ms END,
                last_error_http_status = CASE WHEN :set_error THEN :error_http_status ELSE last_error_http_status END,
                last_error_code = CASE WHEN :set_error THEN :error_code ELSE last_error_code END,
                last_error_message = CASE WHEN :set_error THEN :error_message ELSE last_error_message END,
                relist_count = CASE WHEN :set_relist THEN :relist_count ELSE relist_count END,
                relist_at = CASE WHEN :set_relist THEN :relist_at ELSE relist_at END
            WHERE id = :id AND state = :from
            """)
        let (setError, lastError) = changes.lastError.written
        try update.bind([
            ":id": .text(id), ":from": .text(from.rawValue), ":to": .text(to.rawValue),
            ":at": .integer(Self.milliseconds(at)), ":reason": SQLiteValue(reason),
            ":next_attempt_at": SQLiteValue(Self.milliseconds(changes.nextAttemptAt)),
            ":reset": SQLiteValue(changes.resetBudget), ":attempt_increment": .integer((countsAttempt ? 1 : 0) - (changes.refundAttempt ? 1 : 0)),
            ":set_version": SQLiteValue(changes.version != nil), ":version_id": SQLiteValue(changes.version?.id),
            ":version_name": SQLiteValue(changes.version?.name),
            ":version_created_at": SQLiteValue(Self.milliseconds(changes.version?.createdAt)),
            ":set_training_job": SQLiteValue(changes.trainingJob != nil),
            ":training_job_id": SQLiteValue(changes.trainingJob?.id),
            ":training_job_created_at": SQLiteValue(Self.milliseconds(changes.trainingJob?.createdAt)),
            ":set_remote": SQLiteValue(changes.remoteStatus != nil),
            ":remote_code": SQLiteValue(changes.remoteStatus?.code.map { Int64($0) }),
            ":remote_name": SQLiteValue(changes.remoteStatus?.name),
            ":remote_at": SQLiteValue(Self.milliseconds(changes.remoteStatus.map { $0.at ?? at })),
            ":set_snapshot": SQLiteValue(changes.remoteSnapshot != nil),
            ":remote_snapshot": SQLiteValue(changes.remoteSnapshot?.canonicalData()),
            ":set_timing": SQLiteValue(changes.timing != nil),
            ":start_time": SQLiteValue(Self.milliseconds(changes.timing?.startTime)),
            ":duration_ms": SQLiteValue(changes.timing?.durationMS),
            ":set_error": SQLiteValue(setError), ":error_http_status": SQLiteValue(lastError?.httpStatus.map { Int64($0) }),
            ":error_code": SQLiteValue(lastError?.code), ":error_message": SQLiteValue(lastError?.message),
            ":set_relist": SQLiteValue(changes.relist != nil),
            ":relist_count": .integer(Int64(changes.relist?.emptyListings ?? 0)),
            ":relist_at": SQLiteValue(Self.milliseconds(changes.relist?.nextListingAt)),
        ])
        try update.run()
        return connection.changes == 1
    }

    /// Records reconciliation's progress on a row that stays in `state`; false when it is not in it.
    func updateRelistProgress(id: String, in state: SubmissionState, progress: RelistProgress, at: Date) throws -> Bool {
        let update = try statement(
            """
            UPDATE submissions SET relist_count = :relist_count, relist_at = :relist_at
            WHERE id = :id AND state = :state
            """)
        try update.bind([
            ":id": .text(id), ":state": .text(state.rawValue), ":relist_count": .integer(Int64(progress.emptyListings)),
            ":relist_at": SQLiteValue(Self.milliseconds(progress.nextListingAt)),
        ])
        try update.run()
        return connection.changes == 1
    }

    /// Starts attempt number max+1 (1 for the first) at `at`.
    func beginAttempt(submissionID: String, at: Date, serverEarliest: Date?) throws {
        let insert = try statement(
            """
            INSERT INTO attempts (submission_id, number, started_at, server_started_at)
            VALUES (:id, (SELECT COALESCE(MAX(number), 0) + 1 FROM attempts WHERE submission_id = :id), :at, :server_at)
            """)
        try insert.bind([
            ":id": .text(submissionID), ":at": .integer(Self.milliseconds(at)),
            ":server_at": SQLiteValue(Self.milliseconds(serverEarliest)),
        ])
        try insert.run()
    }

    /// Writes the result into the latest attempt; false when the submission has no attempt.
    func finishLatestAttempt(submissionID: String, result: AttemptResult) throws -> Bool {
        let update = try statement(
            """
            UPDATE attempts SET
                finished_at = :finished_at,
                outcome = :outcome,
                http_status = COALESCE(:http_status, http_status),
                error_code = COALESCE(:error_code, error_code),
                message = COALESCE(:message, message),
                request_id = COALESCE(:request_id, request_id),
                delay_ms = COALESCE(:delay_ms, delay_ms)
            WHERE submission_id = :id
                AND number = (SELECT MAX(number) FROM attempts WHERE submission_id = :id)
            """)
        try update.bind([
            ":id": .text(submissionID), ":finished_at": .integer(Self.milliseconds(result.finishedAt)),
            ":outcome": .text(result.outcome), ":http_status": SQLiteValue(result.httpStatus.map { Int64($0) }),
            ":error_code": SQLiteValue(result.errorCode), ":message": SQLiteValue(result.message),
            ":request_id": SQLiteValue(result.requestID), ":delay_ms": SQLiteValue(result.delayMS),
        ])
        try update.run()
        return connection.changes == 1
    }

    /// Closes every attempt of the submission still open, with outcome `interrupted`.
    func interruptOpenAttempts(submissionID: String, at: Date) throws {
        let update = try statement(
            """
            UPDATE attempts SET finished_at = :at, outcome = 'interrupted'
            WHERE submission_id = :id AND finished_at IS NULL
            """)
        try update.bind([":id": .text(submissionID), ":at": .integer(Self.milliseconds(at))])
        try update.run()
    }

    /// Stores a remote status (and detail) on a row that stays in `state`; false when it is not in it.
    func updateRemoteStatus(
        id: String, in state: SubmissionState, status: RemoteStatus, snapshot: JSONValue?, timing: RemoteTiming?,
        at: Date
    ) throws -> Bool {
        let update = try statement(
            """
            UPDATE submissions SET
                updated_at = :at,
                remote_code = :remote_code,
                remote_name = :remote_name,
                remote_at = :remote_at,
                remote_snapshot = COALESCE(:remote_snapshot, remote_snapshot),
                start_time = CASE WHEN :set_timing THEN :start_time ELSE start_time END,
                duration_ms = CASE WHEN :set_timing THEN :duration_ms ELSE duration_ms END
            WHERE id = :id AND state = :state
            """)
        try update.bind([
            ":id": .text(id), ":state": .text(state.rawValue), ":at": .integer(Self.milliseconds(at)),
            ":remote_code": SQLiteValue(status.code.map { Int64($0) }),
            ":remote_name": .text(status.name), ":remote_at": .integer(Self.milliseconds(status.at ?? at)),
            ":remote_snapshot": SQLiteValue(snapshot?.canonicalData()),
            ":set_timing": SQLiteValue(timing != nil),
            ":start_time": SQLiteValue(Self.milliseconds(timing?.startTime)),
            ":duration_ms": SQLiteValue(timing?.durationMS),
        ])
        try update.run()
        return connection.changes == 1
    }
}
