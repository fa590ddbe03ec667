import Foundation
import JSONTree

/// One submission as `GET /v1/submissions/{id}` shows it (DESIGN §4). Fields may be added;
/// these names stay.
public struct SubmissionView: Sendable, Codable, Hashable {
    public var id: String
    public var state: SubmissionState
    public var owner: Owner
    public var projectID: String
    /// The v1 job. A v2 submission has none (the API shows `null`); it holds a negative lane number of
    /// its own there, so the per-job rules never hold one v2 submission back for another.
    public var jobID: Int64
    /// `{"job_desc": ..., "config": {...}}` (v1) or `{"job": {...}}` / `{"from_job", "overrides"}` (v2),
    /// exactly as accepted.
    public var request: JSONValue
    public var api: SubmissionAPI
    /// The v2 job that trainq created (`metadata.id`).
    public var trainingJobID: String?
    /// The v2 job's `metadata.name`: the caller's name with this submission's suffix, fixed at intake.
    public var trainingJobName: String?
    /// The v2 job whose algorithm and spec this one copies (the `from_job` form).
    public var fromJob: String?
    /// The daemon that took the submission (its `instance.name`), when several share one database; nil for
    /// a daemon with its own SQLite file.
    public var takenBy: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var nextAttemptAt: Date?
    public var attempts: [AttemptView]
    public var versionID: Int64?
    public var versionName: String?
    public var remoteStatus: RemoteStatus?
    /// Why the submission is in its current state, in words (the last error, the reconcile verdict, ...).
    public var reason: String?
    public var history: [HistoryEntry]

    public init(
        id: String, state: SubmissionState, owner: Owner, projectID: String, jobID: Int64, request: JSONValue,
        createdAt: Date, updatedAt: Date, nextAttemptAt: Date? = nil, attempts: [AttemptView] = [],
        versionID: Int64? = nil, versionName: String? = nil, remoteStatus: RemoteStatus? = nil,
        reason: String? = nil, history: [HistoryEntry] = [], api: SubmissionAPI = .v1, trainingJobID: String? = nil,
        trainingJobName: String? = nil, fromJob: String? = nil, takenBy: String? = nil
    ) {
        self.takenBy = takenBy
        self.api = api
        self.trainingJobID = trainingJobID
        self.trainingJobName = trainingJobName
        self.fromJob = fromJob
        self.id = id
        self.state = state
        self.owner = owner
        self.projectID = projectID
        self.jobID = jobID
        self.request = request
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.nextAttemptAt = nextAttemptAt
        self.attempts = attempts
        self.versionID = versionID
        self.versionName = versionName
        self.remoteStatus = remoteStatus
        self.reason = reason
        self.history = history
    }

    enum CodingKeys: String, CodingKey {
        case id, state, owner, request, attempts, history, reason, api
        case trainingJobID = "training_job_id"
        case trainingJobName = "training_job_name"
        case fromJob = "from_job"
        case takenBy = "taken_by"
        case projectID = "project_id"
        case jobID = "job_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case nextAttemptAt = "next_attempt_at"
        case versionID = "version_id"
        case versionName = "version_name"
        case remoteStatus = "remote_status"
    }

    /// Absent optionals are written as `null` so scripts can rely on every key being there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(state, forKey: .state)
        try container.encode(owner, forKey: .owner)
        try container.encode(projectID, forKey: .projectID)
        try container.encode(api == .v1 ? jobID : nil, forKey: .jobID)
        try container.encode(request, forKey: .request)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(nextAttemptAt, forKey: .nextAttemptAt)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(versionID, forKey: .versionID)
        try container.encode(versionName, forKey: .versionName)
        try container.encode(remoteStatus, forKey: .remoteStatus)
        try container.encode(reason, forKey: .reason)
        try container.encode(history, forKey: .history)
        try container.encode(api, forKey: .api)
        try container.encode(trainingJobID, forKey: .trainingJobID)
        try container.encode(trainingJobName, forKey: .trainingJobName)
        try container.encode(fromJob, forKey: .fromJob)
        try container.encode(takenBy, forKey: .takenBy)
    }

    /// Reads what `encode` writes; answers of a daemon from before v2 (no `api`) read as v1.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        state = try container.decode(SubmissionState.self, forKey: .state)
        owner = try container.decode(Owner.self, forKey: .owner)
        projectID = try container.decode(String.self, forKey: .projectID)
        api = try container.decodeIfPresent(SubmissionAPI.self, forKey: .api) ?? .v1
        jobID = try container.decodeIfPresent(Int64.self, forKey: .jobID) ?? 0
        request = try container.decode(JSONValue.self, forKey: .request)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        updatedAt = try container.decode(Date.self, forKey: .updatedAt)
        nextAttemptAt = try container.decodeIfPresent(Date.self, forKey: .nextAttemptAt)
        attempts = try container.decodeIfPresent([AttemptView].self, forKey: .attempts) ?? []
        versionID = try container.decodeIfPresent(Int64.self, forKey: .versionID)
        versionName = try container.decodeIfPresent(String.self, forKey: .versionName)
        remoteStatus = try container.decodeIfPresent(RemoteStatus.self, forKey: .remoteStatus)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        history = try container.decodeIfPresent([HistoryEntry].self, forKey: .history) ?? []
        trainingJobID = try container.decodeIfPresent(String.self, forKey: .trainingJobID)
        trainingJobName = try container.decodeIfPresent(String.self, forKey: .trainingJobName)
        fromJob = try container.decodeIfPresent(String.self, forKey: .fromJob)
        takenBy = try container.decodeIfPresent(String.self, forKey: .takenBy)
    }
}

/// One attempt to create the version: when, how it ended, and what delay was chosen after it.
public struct AttemptView: Sendable, Codable, Hashable {
    public var number: Int
    public var startedAt: Date
    public var finishedAt: Date?
    /// `created`, `transient`, `unknown_outcome`, `token_refresh`, `slow`, `permanent`, or `interrupted`.
    public var outcome: String?
    public var httpStatus: Int?
    public var errorCode: String?
    public var message: String?
    public var requestID: String?
    public var delayMS: Int64?

    public init(
        number: Int, startedAt: Date, finishedAt: Date? = nil, outcome: String? = nil, httpStatus: Int? = nil,
        errorCode: String? = nil, message: String? = nil, requestID: String? = nil, delayMS: Int64? = nil
    ) {
        self.number = number
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.message = message
        self.requestID = requestID
        self.delayMS = delayMS
    }

    enum CodingKeys: String, CodingKey {
        case number, outcome, message
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case httpStatus = "http_status"
        case errorCode = "error_code"
        case requestID = "request_id"
        case delayMS = "delay_ms"
    }
}

/// One row of a submission's history: a state change or a remote status change.
public struct HistoryEntry: Sendable, Codable, Hashable {
    public var seq: Int64
    public var at: Date
    public var state: SubmissionState
    public var remoteStatus: RemoteStatus?
    public var reason: String?

    public init(seq: Int64, at: Date, state: SubmissionState, remoteStatus: RemoteStatus? = nil, reason: String? = nil) {
        self.seq = seq
        self.at = at
        self.state = state
        self.remoteStatus = remoteStatus
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case seq, at, state, reason
        case remoteStatus = "remote_status"
    }
}
