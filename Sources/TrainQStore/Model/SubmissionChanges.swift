import Foundation
import JSONTree
import TrainQAPI

/// What a transition changes besides the state. Every field defaults to "leave as it is".
public struct SubmissionChanges: Sendable, Hashable {
    /// When the next attempt may start, written as given (nil clears it). The state machine sets it on
    /// every move into `queued` or `retrying` and leaves it nil otherwise.
    public var nextAttemptAt: Date?
    /// Starts a fresh budget (`retry` by a person): the attempt count goes back to 0 and the budget's
    /// age counts from the transition's time.
    public var resetBudget: Bool
    /// Gives the attempt that just ended back to the budget (a throttled one waited, it did not fail).
    public var refundAttempt: Bool
    /// The version ModelArts created for this submission.
    public var version: CreatedVersion?
    /// The v2 training job ModelArts created for this submission.
    public var trainingJob: CreatedTrainingJob?
    /// The version's remote status as last seen.
    public var remoteStatus: RemoteStatus?
    /// The full remote version detail, kept as the final word on how the version ended.
    public var remoteSnapshot: JSONValue?
    /// When training started and how long it ran, from the version detail.
    public var timing: RemoteTiming?
    /// The last error: set it, clear it, or leave it.
    public var lastError: FieldUpdate<LastError>
    /// Reconciliation's progress: how many listings came back empty, and when to list next.
    public var relist: RelistProgress?

    public init(
        nextAttemptAt: Date? = nil, resetBudget: Bool = false, refundAttempt: Bool = false, version: CreatedVersion? = nil,
        remoteStatus: RemoteStatus? = nil, remoteSnapshot: JSONValue? = nil, timing: RemoteTiming? = nil,
        lastError: FieldUpdate<LastError> = .keep, relist: RelistProgress? = nil, trainingJob: CreatedTrainingJob? = nil
    ) {
        self.trainingJob = trainingJob
        self.nextAttemptAt = nextAttemptAt
        self.resetBudget = resetBudget
        self.refundAttempt = refundAttempt
        self.version = version
        self.remoteStatus = remoteStatus
        self.remoteSnapshot = remoteSnapshot
        self.timing = timing
        self.lastError = lastError
        self.relist = relist
    }

    /// No change besides the state.
    public static let none = SubmissionChanges()
}

/// A change to a nullable field that is neither always set nor always cleared.
public enum FieldUpdate<Value: Sendable & Hashable>: Sendable, Hashable {
    case keep
    case set(Value)
    case clear

    /// Whether the column is written, and with what (nil: NULL): how both stores' SQL reads it.
    public var written: (writes: Bool, value: Value?) {
        switch self {
        case .keep: (false, nil)
        case .set(let value): (true, value)
        case .clear: (true, nil)
        }
    }
}

/// The version a create returned (or reconciliation found).
public struct CreatedVersion: Sendable, Hashable {
    public var id: Int64
    public var name: String?
    /// ModelArts' `create_time`.
    public var createdAt: Date?

    public init(id: Int64, name: String? = nil, createdAt: Date? = nil) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// The v2 training job a create returned (or reconciliation found).
public struct CreatedTrainingJob: Sendable, Hashable {
    /// `metadata.id`, a UUID.
    public var id: String
    public var name: String?
    /// ModelArts' `metadata.create_time`.
    public var createdAt: Date?

    public init(id: String, name: String? = nil, createdAt: Date? = nil) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// What ModelArts created for a submission: a v1 version or a v2 training job.
public enum RemoteRun: Sendable, Hashable, CustomStringConvertible {
    case version(CreatedVersion)
    case trainingJob(CreatedTrainingJob)

    /// "version 21" or "training job 3f2c…", for reasons and logs.
    public var description: String {
        switch self {
        case .version(let version): "version \(version.id)"
        case .trainingJob(let job): "training job \(job.id)"
        }
    }

    public var createdAt: Date? {
        switch self {
        case .version(let version): version.createdAt
        case .trainingJob(let job): job.createdAt
        }
    }
}

/// `start_time` and `duration` of a version, from its detail.
public struct RemoteTiming: Sendable, Hashable {
    public var startTime: Date?
    public var durationMS: Int64?

    public init(startTime: Date? = nil, durationMS: Int64? = nil) {
        self.startTime = startTime
        self.durationMS = durationMS
    }
}

/// The last failure seen for a submission, kept on the row so lists can show it without the attempts.
public struct LastError: Sendable, Hashable {
    public var httpStatus: Int?
    /// `ModelArts.4700`, `APIGW.0308`, ...
    public var code: String?
    public var message: String

    public init(httpStatus: Int? = nil, code: String? = nil, message: String) {
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
    }
}
