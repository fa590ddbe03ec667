import Foundation
import ModelArts
import TrainQAPI
import TrainQStore

/// A version or v2 job that a create returned or a search showed: what the store keeps (`RemoteRun`)
/// plus the remote status it had when seen, which tracking starts from.
public struct ObservedRun: Sendable, Hashable {
    public var run: RemoteRun
    public var status: RemoteRunStatus?

    public init(run: RemoteRun, status: RemoteRunStatus? = nil) {
        self.run = run
        self.status = status
    }

    /// A v1 version.
    public init(version: CreatedVersion, status: VersionStatus? = nil) {
        self.init(run: .version(version), status: status.map(RemoteRunStatus.init))
    }

    /// A v1 version, by its parts.
    public init(id: Int64, name: String? = nil, createdAt: Date? = nil, status: VersionStatus? = nil) {
        self.init(version: CreatedVersion(id: id, name: name, createdAt: createdAt), status: status)
    }

    /// A v2 training job as an answer showed it.
    public init(_ job: TrainingJob) {
        self.init(
            run: .trainingJob(
                CreatedTrainingJob(
                    id: job.id, name: job.name,
                    createdAt: job.createTime.map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) })),
            status: job.phase.map(RemoteRunStatus.init))
    }

    /// The status as the socket API shows it.
    public func remoteStatus(at date: Date) -> RemoteStatus? {
        status.map { RemoteStatus(code: $0.code, name: $0.name, at: date) }
    }

    /// What the store writes for it.
    var changes: SubmissionChanges {
        switch run {
        case .version(let version): SubmissionChanges(version: version)
        case .trainingJob(let job): SubmissionChanges(trainingJob: job)
        }
    }
}
