import Foundation
import JSONTree
import ModelArts
import TrainQAPI
import TrainQStore

/// The one mapping from a version's remote status to the submission's state (DESIGN §2):
/// COMPLETED and CHECK_RUNNING_COMPLETED succeed; KILLED and CANCELED are stopped; the other terminal
/// statuses fail; everything else (including codes nobody documented) keeps tracking.
enum RemoteStatusMapping {
    static func terminalState(for status: VersionStatus) -> SubmissionState? {
        switch status.category {
        case .succeeded: .succeeded
        case .failed: .failed
        case .stopped: .stopped
        case .inProgress, .unknown: nil
        }
    }

    static func remoteStatus(_ status: VersionStatus, at date: Date) -> RemoteStatus {
        RemoteStatus(code: status.code, name: status.displayName, at: date)
    }

    /// `start_time` (epoch ms) and `duration` (ms) of the version; nil when the detail has neither.
    static func timing(of detail: VersionDetail) -> RemoteTiming? {
        guard detail.startTime != nil || detail.duration != nil else { return nil }
        return RemoteTiming(
            startTime: detail.startTime.map { Date(timeIntervalSince1970: Double($0) / 1000) }, durationMS: detail.duration)
    }

    /// The version detail as the service sent it, kept as the final word on how the version ended. A
    /// list entry carries the detail's fields (reference §2.5), so it serves as well as a show.
    static func snapshot(of detail: VersionDetail) -> JSONValue {
        .object(detail.raw)
    }

    static func reason(for status: VersionStatus) -> String {
        "ModelArts reports \(status.displayName) (\(status.code))"
    }
}
