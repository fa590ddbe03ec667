import Foundation
import JSONTree
import TrainQAPI

extension SubmissionStore {
    /// Why `recoverOrphans` moved a submission, as its history shows it.
    public static let orphanReason = "daemon restarted during an attempt"

    /// Moves a submission from `from` to `to`, compare-and-set: only if it is in `from` now. Writes the
    /// state, `changes`, the attempt row and the event in one transaction.
    ///
    /// - Parameters:
    ///   - attempt: `.begin` numbers and starts a new attempt and counts it against the budget;
    ///     `.finish` records how the latest attempt ended.
    ///   - reason: why the submission is now in `to`, in words; stored on the row and in the event
    ///     (nil clears the row's reason).
    /// - Returns: the submission after the change, or nil when it was not in `from` (or does not
    ///   exist); nothing is written then.
    /// - Throws: `StoreError.Kind.invalidTransition` when the transition table forbids `from` → `to`,
    ///   or `.finish` is asked of a submission without attempts; nothing is written then.
    @discardableResult
    public func transition(
        id: String, from: SubmissionState, to: SubmissionState, changes: SubmissionChanges = .none,
        attempt: AttemptWrite? = nil, reason: String? = nil, at: Date = Date()
    ) throws -> SubmissionView? {
        guard from.canMove(to: to) else {
            throw StoreError(
                kind: .invalidTransition,
                reason: "a submission cannot move from \(from.rawValue) to \(to.rawValue)")
        }
        return try write { tables in
            let begins: Bool
            if case .begin = attempt { begins = true } else { begins = false }
            guard
                try tables.updateState(
                    id: id, from: from, to: to, changes: changes, countsAttempt: begins, reason: reason, at: at)
            else { return nil }
            switch attempt {
            case .begin(let startedAt):
                try tables.beginAttempt(submissionID: id, at: startedAt)
            case .finish(let result):
                guard try tables.finishLatestAttempt(submissionID: id, result: result) else {
                    throw StoreError(
                        kind: .invalidTransition, reason: "submission \(id) has no attempt to finish")
                }
            case nil:
                break
            }
            guard let stored = try tables.submission(id: id, includeHistory: false) else {
                throw StoreError(kind: .corruptRow, reason: "submission \(id) vanished during a transition")
            }
            try tables.appendEvent(
                submissionID: id, jobID: stored.view.jobID, state: to, remoteStatus: stored.view.remoteStatus,
                reason: reason, at: at)
            var view = stored.view
            view.history = try tables.history(of: id)
            return view
        }
    }

    /// Stores a remote status seen while `tracking`, with the version detail when given. A status
    /// whose code differs from the stored one is also written as an event (state `tracking`), so the
    /// history shows every remote step. Returns false when the submission is not `tracking`.
    @discardableResult
    public func recordRemoteStatus(
        id: String, status: RemoteStatus, snapshot: JSONValue? = nil, timing: RemoteTiming? = nil,
        at: Date = Date()
    ) throws -> Bool {
        try write { tables in
            guard let stored = try tables.submission(id: id, includeHistory: false), stored.state == .tracking
            else { return false }
            let isNewStatus = stored.view.remoteStatus?.code != status.code
            guard isNewStatus || snapshot != nil || timing != nil else { return true }
            guard try tables.updateRemoteStatus(id: id, status: status, snapshot: snapshot, timing: timing, at: at)
            else { return false }
            if isNewStatus {
                try tables.appendEvent(
                    submissionID: id, jobID: stored.view.jobID, state: .tracking,
                    remoteStatus: RemoteStatus(code: status.code, name: status.name), reason: nil, at: at)
            }
            return true
        }
    }

    /// At start-up: every `submitting` row belongs to an attempt a previous run did not finish. Its
    /// create may or may not have reached ModelArts, so it goes to `reconciling` (never back to
    /// `queued`), its open attempt is closed as `interrupted`. One transaction; returns the ids.
    public func recoverOrphans(at: Date = Date()) throws -> [String] {
        try write { tables in
            let orphans = try tables.submissions(in: .submitting)
            for orphan in orphans {
                guard
                    try tables.updateState(
                        id: orphan.id, from: .submitting, to: .reconciling, changes: .none, countsAttempt: false,
                        reason: Self.orphanReason, at: at)
                else { continue }
                try tables.interruptOpenAttempts(submissionID: orphan.id, at: at)
                try tables.appendEvent(
                    submissionID: orphan.id, jobID: orphan.view.jobID, state: .reconciling,
                    remoteStatus: orphan.view.remoteStatus, reason: Self.orphanReason, at: at)
            }
            return orphans.map(\.id)
        }
    }
}
