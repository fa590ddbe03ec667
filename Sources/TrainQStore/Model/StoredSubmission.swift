import Foundation
import JSONTree
import TrainQAPI

/// A submission with the fields the engine needs beyond what the API shows.
public struct StoredSubmission: Sendable, Hashable {
    public var view: SubmissionView
    /// Attempts started in the current budget (reset by `retry`).
    public var attemptCount: Int
    /// When the current budget began: creation, or the last `retry`. `max_age` counts from here.
    public var budgetStartedAt: Date
    /// ModelArts' `create_time` of the version, once known.
    public var versionCreatedAt: Date?
    public var lastError: LastError?
    public var remoteSnapshot: JSONValue?
    public var timing: RemoteTiming?
    /// The earliest ModelArts' clock can have read when the latest attempt began; nil when its answers
    /// had not told its time yet.
    public var latestAttemptServerStart: Date?
    /// Reconciliation's progress, while `reconciling`.
    public var relist: RelistProgress = .fresh

    public var id: String { view.id }
    public var state: SubmissionState { view.state }
    public var jobKey: JobKey { JobKey(projectID: view.projectID, jobID: view.jobID) }

    /// What ModelArts created for it, once known.
    public var run: RemoteRun? { view.run(createdAt: versionCreatedAt) }

    public init(
        view: SubmissionView, attemptCount: Int, budgetStartedAt: Date, versionCreatedAt: Date? = nil,
        lastError: LastError? = nil, remoteSnapshot: JSONValue? = nil, timing: RemoteTiming? = nil
    ) {
        self.view = view
        self.attemptCount = attemptCount
        self.budgetStartedAt = budgetStartedAt
        self.versionCreatedAt = versionCreatedAt
        self.lastError = lastError
        self.remoteSnapshot = remoteSnapshot
        self.timing = timing
    }
}

/// A training job: at most one create may be in flight or unknown per job.
public struct JobKey: Sendable, Hashable {
    public var projectID: String
    public var jobID: Int64

    public init(projectID: String, jobID: Int64) {
        self.projectID = projectID
        self.jobID = jobID
    }
}

extension SubmissionView {
    /// The version or v2 job this submission created, once known (`createdAt` is on the stored row only).
    public func run(createdAt: Date? = nil) -> RemoteRun? {
        switch api {
        case .v1: versionID.map { .version(CreatedVersion(id: $0, name: versionName, createdAt: createdAt)) }
        case .v2: trainingJobID.map { .trainingJob(CreatedTrainingJob(id: $0, name: trainingJobName, createdAt: createdAt)) }
        }
    }
}
