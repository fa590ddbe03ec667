import Foundation
import TrainQStore

/// How the engine writes an ended attempt into the submission's story.
extension AttemptResult {
    init(failure: AttemptFailure, outcome: AttemptOutcome, delay: Duration?, at: Date) {
        self.init(
            finishedAt: at, outcome: outcome.rawValue, httpStatus: failure.httpStatus, errorCode: failure.errorCode,
            message: failure.message, requestID: failure.requestID, delayMS: delay?.milliseconds
        )
    }

    static func created(_ version: ObservedVersion, at: Date, note: String? = nil) -> AttemptResult {
        AttemptResult(
            finishedAt: at, outcome: AttemptOutcome.created.rawValue, httpStatus: note == nil ? 200 : nil,
            message: note ?? "created version \(version.id)"
        )
    }
}

extension LastError {
    init(_ failure: AttemptFailure) {
        self.init(httpStatus: failure.httpStatus, code: failure.errorCode, message: failure.message)
    }
}
