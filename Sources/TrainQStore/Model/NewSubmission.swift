import Foundation
import JSONTree
import TrainQAPI

/// A validated request to create a version, as the socket layer hands it to the store.
public struct NewSubmission: Sendable, Hashable {
    public var owner: Owner
    public var projectID: String
    public var jobID: Int64
    /// `{"job_desc": ..., "config": {...}}` exactly as accepted; stored as its canonical bytes.
    public var request: JSONValue
    /// The caller's `Idempotency-Key`, unique per owner.
    public var idempotencyKey: String?
    /// When the request was accepted: the submission's `created_at`.
    public var at: Date
    public var api: SubmissionAPI
    /// v2: the caller's `metadata.name` (or the copy's), which the job's name is made from.
    public var trainingJobBaseName: String?
    /// v2: the job whose algorithm and spec are copied.
    public var fromJob: String?
    /// v2: the name the job is created under, fixed when the id is (`assigned(id:)`).
    public private(set) var trainingJobName: String?

    public init(
        owner: Owner, projectID: String, jobID: Int64, request: JSONValue, idempotencyKey: String? = nil,
        at: Date = Date(), api: SubmissionAPI = .v1, trainingJobBaseName: String? = nil, fromJob: String? = nil
    ) {
        self.api = api
        self.trainingJobBaseName = trainingJobBaseName
        self.fromJob = fromJob
        self.owner = owner
        self.projectID = projectID
        self.jobID = jobID
        self.request = request
        self.idempotencyKey = idempotencyKey
        self.at = at
    }
}

extension NewSubmission {
    /// The submission as stored under `id`: a v2 one gets its lane for `job_id` and its job's name.
    public func assigned(id: String) -> NewSubmission {
        guard api == .v2 else { return self }
        var assigned = self
        assigned.jobID = TrainingJobLane.of(submissionID: id)
        assigned.trainingJobName = TrainingJobName.derived(base: trainingJobBaseName ?? "trainq", submissionID: id)
        return assigned
    }
}

/// What `SubmissionStore.insert` did with a `NewSubmission`.
public enum InsertOutcome: Sendable, Hashable {
    /// Stored durably in `queued`: answer 202.
    case created(SubmissionView)
    /// The same owner sent the same key with the same body before: this is that submission (answer 200).
    case replayed(SubmissionView)
    /// The same owner sent the same key with a different body (answer 409); nothing was stored.
    case idempotencyConflict(existingID: String)
}
