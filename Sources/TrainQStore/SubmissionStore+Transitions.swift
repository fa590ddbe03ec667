import Foundation
import JSONTree
import TrainQAPI

extension SubmissionStore {
    /// Applies one decision of the engine in one transaction: the state (compare-and-set on
    /// `write.expected`), `changes`, the attempt row and the event.
    ///
    /// - Returns: the submission after the change (with its history when the state changed), or nil when
    ///   it was no longer in `write.expected` (or does not exist); nothing is written then.
    /// - Throws: `StoreError.Kind.invalidTransition` when the transition table forbids the move, `.finish`
    ///   is asked of a submission without attempts, or a stay carries neither a remote status nor re-list
    ///   progress; nothing is written.
    @discardableResult
    public func apply(_ write: SubmissionWrite, id: String) throws -> StoredSubmission? {
        try write.check()
        return try self.write { tables in
            let state = write.next ?? write.expected
            if write.next != nil {
                let begins: Bool
                if case .begin = write.attempt { begins = true } else { begins = false }
                guard
                    try tables.updateState(
                        id: id, from: write.expected, to: state, changes: write.changes, countsAttempt: begins,
                        reason: write.reason, at: write.at)
                else { return nil }
            } else if let status = write.changes.remoteStatus {
                guard
                    try tables.updateRemoteStatus(
                        id: id, in: write.expected, status: status, snapshot: write.changes.remoteSnapshot,
                        timing: write.changes.timing, at: write.at)
                else { return nil }
            } else if let progress = write.changes.relist {
                guard try tables.updateRelistProgress(id: id, in: write.expected, progress: progress, at: write.at) else {
                    return nil
                }
            }
            switch write.attempt {
            case .begin(let startedAt, let serverEarliest):
                try tables.beginAttempt(submissionID: id, at: startedAt, serverEarliest: serverEarliest)
            case .finish(let result):
                guard try tables.finishLatestAttempt(submissionID: id, result: result) else {
                    throw StoreError(kind: .invalidTransition, reason: "submission \(id) has no attempt to finish")
                }
            case .interrupt(let at):
                try tables.interruptOpenAttempts(submissionID: id, at: at)
            case nil:
                break
            }
            guard var stored = try tables.submission(id: id, includeHistory: false) else {
                throw StoreError(kind: .corruptRow, reason: "submission \(id) vanished during a transition")
            }
            if write.appendsEvent {
                try tables.appendEvent(
                    submissionID: id, jobID: stored.view.jobID, state: state, remoteStatus: stored.view.remoteStatus,
                    reason: write.next == nil ? nil : write.reason, at: write.at)
            }
            if write.next != nil {
                stored.view.history = try tables.history(of: id)
            }
            return stored
        }
    }
}
