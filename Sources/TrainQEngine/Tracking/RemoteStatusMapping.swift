import ModelArts
import TrainQAPI

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
}

import Foundation
