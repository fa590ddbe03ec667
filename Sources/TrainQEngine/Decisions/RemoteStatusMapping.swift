import Foundation
import JSONTree
import ModelArts
import TrainQAPI
import TrainQStore

/// The one mapping from a remote status to the submission's state (DESIGN §2): a v1 version's
/// COMPLETED and CHECK_RUNNING_COMPLETED, or a v2 job's Completed, succeed; KILLED, CANCELED and
/// Terminated are stopped; the other terminal statuses (Failed, Abnormal) fail; everything else
/// (including statuses nobody documented) keeps tracking.
enum RemoteStatusMapping {
    static func terminalState(for status: RemoteRunStatus) -> SubmissionState? {
        switch status.category {
        case .succeeded: .succeeded
        case .failed: .failed
        case .stopped: .stopped
        case .inProgress, .unknown: nil
        }
    }

    /// The same for a status as stored: a v1 code, or a v2 phase's name.
    static func terminalState(forName name: String, code: Int?) -> SubmissionState? {
        let status = code.map { RemoteRunStatus(VersionStatus(code: $0)) } ?? RemoteRunStatus(TrainingJobPhase(name))
        return terminalState(for: status)
    }

    static func remoteStatus(_ status: RemoteRunStatus, at date: Date) -> RemoteStatus {
        RemoteStatus(code: status.code, name: status.name, at: date)
    }

    /// `start_time` (epoch ms) and `duration` (ms) of the version; nil when the detail has neither.
    static func timing(of detail: VersionDetail) -> RemoteTiming? {
        timing(startTime: detail.startTime, duration: detail.duration)
    }

    /// The same of a version seen in a list.
    static func timing(of sighting: VersionSighting) -> RemoteTiming? {
        timing(startTime: sighting.startTime, duration: sighting.duration)
    }

    private static func timing(startTime: Int64?, duration: Int64?) -> RemoteTiming? {
        guard startTime != nil || duration != nil else { return nil }
        return RemoteTiming(startTime: startTime.map { Date(timeIntervalSince1970: Double($0) / 1000) }, durationMS: duration)
    }

    /// The version detail as the service sent it, kept as the final word on how the version ended. A
    /// list entry carries the detail's fields (reference §2.5), so it serves as well as a show.
    static func snapshot(of detail: VersionDetail) -> JSONValue {
        .object(detail.raw)
    }

    /// The same of a version seen in a list, read from the entry's bytes only when the status is one
    /// that ends tracking: the only time a snapshot is kept.
    static func snapshot(of sighting: VersionSighting) -> JSONValue? {
        guard terminalState(for: RemoteRunStatus(sighting.status)) != nil else { return nil }
        return try? JSONValue.parse(sighting.entry)
    }

    static func reason(for status: RemoteRunStatus) -> String {
        if let code = status.code { return "ModelArts reports \(status.name) (\(code))" }
        return "ModelArts reports \(status.name)"
    }

    /// `status.start_time` (epoch ms, 0 until it starts) and `duration` (ms) of a v2 job.
    static func timing(of job: TrainingJob) -> RemoteTiming? {
        let startTime = job.startTime.flatMap { $0 > 0 ? $0 : nil }
        guard startTime != nil || job.duration != nil else { return nil }
        return RemoteTiming(
            startTime: startTime.map { Date(timeIntervalSince1970: Double($0) / 1000) }, durationMS: job.duration)
    }
}
