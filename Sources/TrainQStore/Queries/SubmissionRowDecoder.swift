import Foundation
import JSONTree
import TrainQAPI

/// A row of `submissions` read by column name, whichever database it came from.
public protocol SubmissionColumns {
    func string(_ name: String) -> String?
    func int64(_ name: String) -> Int64?
    func data(_ name: String) -> Data?
}

/// Reads `submissions` rows (selected with `columns`) into `StoredSubmission`s, checking what the
/// database cannot: that the state is one we know and the stored JSON parses. Both stores decode here.
public enum SubmissionRowDecoder {
    public static let columns = """
        id, state, owner_uid, owner_user, project_id, job_id, request, created_at, updated_at, next_attempt_at, \
        attempt_count, budget_started_at, version_id, version_name, version_created_at, remote_code, remote_name, \
        remote_at, reason, last_error_http_status, last_error_code, last_error_message, remote_snapshot, \
        start_time, duration_ms, relist_count, relist_at, api, training_job_id, training_job_name, from_job, taken_by
        """

    /// The current row, without attempts and history (the caller adds them when it wants them).
    public static func decode(_ row: some SubmissionColumns) throws(StoreError) -> StoredSubmission {
        guard let id = row.string("id") else { throw corrupt("a submission without an id") }
        func required<Value>(_ value: Value?, _ column: String) throws(StoreError) -> Value {
            guard let value else { throw corrupt("submission \(id) has no \(column)") }
            return value
        }
        let state = try decodeState(required(row.string("state"), "state"), submission: id)
        let requestBytes = try required(row.data("request"), "request")
        guard let request = try? JSONValue.parse(requestBytes) else {
            throw corrupt("submission \(id) has a request that is not JSON")
        }
        var snapshot: JSONValue?
        if let snapshotBytes = row.data("remote_snapshot") {
            guard let parsed = try? JSONValue.parse(snapshotBytes) else {
                throw corrupt("submission \(id) has a remote snapshot that is not JSON")
            }
            snapshot = parsed
        }
        let ownerUID = try required(row.int64("owner_uid"), "owner_uid")
        guard let uid = UInt32(exactly: ownerUID) else { throw corrupt("submission \(id) has owner uid \(ownerUID)") }

        var remoteStatus: RemoteStatus?
        if let name = row.string("remote_name") {
            remoteStatus = RemoteStatus(
                code: row.int64("remote_code").map { Int($0) }, name: name, at: row.int64("remote_at").map(date))
        }
        let apiName = row.string("api") ?? SubmissionAPI.v1.rawValue
        guard let api = SubmissionAPI(rawValue: apiName) else {
            throw corrupt("submission \(id) names an unknown API \"\(apiName)\"")
        }
        var lastError: LastError?
        if let message = row.string("last_error_message") {
            lastError = LastError(
                httpStatus: row.int64("last_error_http_status").map { Int($0) }, code: row.string("last_error_code"),
                message: message)
        }
        var timing: RemoteTiming?
        let startTime = row.int64("start_time").map(date)
        let duration = row.int64("duration_ms")
        if startTime != nil || duration != nil {
            timing = RemoteTiming(startTime: startTime, durationMS: duration)
        }

        let view = try SubmissionView(
            id: id, state: state, owner: Owner(uid: uid, user: required(row.string("owner_user"), "owner_user")),
            projectID: required(row.string("project_id"), "project_id"),
            jobID: required(row.int64("job_id"), "job_id"), request: request,
            createdAt: date(required(row.int64("created_at"), "created_at")),
            updatedAt: date(required(row.int64("updated_at"), "updated_at")),
            nextAttemptAt: row.int64("next_attempt_at").map(date),
            versionID: row.int64("version_id"), versionName: row.string("version_name"),
            remoteStatus: remoteStatus, reason: row.string("reason"), api: api,
            trainingJobID: row.string("training_job_id"), trainingJobName: row.string("training_job_name"),
            fromJob: row.string("from_job"), takenBy: row.string("taken_by"))
        var stored = try StoredSubmission(
            view: view, attemptCount: Int(required(row.int64("attempt_count"), "attempt_count")),
            budgetStartedAt: date(required(row.int64("budget_started_at"), "budget_started_at")),
            versionCreatedAt: row.int64("version_created_at").map(date), lastError: lastError,
            remoteSnapshot: snapshot, timing: timing)
        stored.relist = RelistProgress(
            emptyListings: Int(row.int64("relist_count") ?? 0), nextListingAt: row.int64("relist_at").map(date))
        return stored
    }

    public static func decodeState(_ name: String, submission: String) throws(StoreError) -> SubmissionState {
        guard let state = SubmissionState(rawValue: name) else {
            throw corrupt("submission \(submission) is in an unknown state \"\(name)\"")
        }
        return state
    }

    public static func corrupt(_ reason: String) -> StoreError {
        StoreError(kind: .corruptRow, reason: reason)
    }

    private static func date(_ milliseconds: Int64) -> Date {
        EpochMilliseconds.date(milliseconds)
    }
}
