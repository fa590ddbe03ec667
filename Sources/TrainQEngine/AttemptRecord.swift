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

    static func created(_ observed: ObservedRun, at: Date, note: String? = nil) -> AttemptResult {
        let status: Int? = if case .trainingJob = observed.run { 201 } else { 200 }
        return AttemptResult(
            finishedAt: at, outcome: AttemptOutcome.created.rawValue, httpStatus: note == nil ? status : nil,
            message: note ?? "created \(observed.run)"
        )
    }
}

extension LastError {
    init(_ failure: AttemptFailure) {
        self.init(httpStatus: failure.httpStatus, code: failure.errorCode, message: failure.message)
    }
}
