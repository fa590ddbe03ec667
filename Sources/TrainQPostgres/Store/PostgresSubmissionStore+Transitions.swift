import Foundation
import JSONTree
import Synchronization
import PostgresNIO
import TrainQAPI
import TrainQStore

extension PostgresSubmissionStore {
    /// Applies one decision of the engine in one transaction, as the SQLite store does, with one more
    /// condition: a write that starts a create, or moves a create in flight or being reconciled, needs
    /// this daemon's lease on the job, at the generation it holds (`LeaseFence`). Without it nothing is
    /// written and the answer is nil, as for a row that moved on.
    public func apply(_ write: SubmissionWrite, id: String) async throws -> StoredSubmission? {
        try write.check()
        let fence = LeaseFence(write)
        let began = ContinuousClock.now
        let stored = try await transaction("apply a decision") { connection -> StoredSubmission? in
            let tables = PostgresTables(connection: connection, logger: self.logger)
            if let fence, try await !self.holdsLease(of: id, fence: fence, began: began, tables: tables) {
                self.logger.warning(
                    "decision not applied: this daemon does not hold the job's lease",
                    metadata: ["submission": "\(id)", "state": "\(write.expected.rawValue)"])
                return nil
            }
            let state = write.next ?? write.expected
            if write.next != nil {
                let begins: Bool
                if case .begin = write.attempt { begins = true } else { begins = false }
                guard
                    try await tables.updateState(
                        id: id, from: write.expected, to: state, changes: write.changes, countsAttempt: begins,
                        reason: write.reason, at: write.at)
                else { return nil }
            } else if let status = write.changes.remoteStatus {
                guard
                    try await tables.updateRemoteStatus(
                        id: id, in: write.expected, status: status, snapshot: write.changes.remoteSnapshot,
                        timing: write.changes.timing, at: write.at)
                else { return nil }
            } else if let progress = write.changes.relist {
                guard try await tables.updateRelistProgress(id: id, in: write.expected, progress: progress) else { return nil }
            }
            switch write.attempt {
            case .begin(let startedAt, let serverEarliest):
                try await tables.beginAttempt(submissionID: id, at: startedAt, serverEarliest: serverEarliest)
            case .finish(let result):
                guard try await tables.finishLatestAttempt(submissionID: id, result: result) else {
                    throw StoreError(kind: .invalidTransition, reason: "submission \(id) has no attempt to finish")
                }
            case .interrupt(let at):
                try await tables.interruptOpenAttempts(submissionID: id, at: at)
            case nil:
                break
            }
            guard var stored = try await tables.submission(id: id, includeHistory: false) else {
                throw StoreError(kind: .corruptRow, reason: "submission \(id) vanished during a transition")
            }
            if write.appendsEvent {
                _ = try await tables.appendEvent(
                    EventDraft(
                        submissionID: id, jobID: stored.view.jobID, state: state, remoteStatus: stored.view.remoteStatus,
                        reason: write.next == nil ? nil : write.reason, at: write.at))
            }
            if write.next != nil {
                stored.view.history = try await tables.history(of: id)
            }
            return stored
        }
        if let seq = stored?.view.history.last?.seq { sawSequence(seq) }
        return stored
    }
}

/// What lease a write needs (DESIGN §8). Starting a create takes (or renews) the job's lease, which
/// fails while another daemon holds it; the renewed lease outlasts any create (`leaseDuration`), so the
/// create ends before anyone may take the job over. Moving a create in flight or being reconciled needs the lease unexpired, at the generation this
/// daemon holds: a successor's takeover raised it. Other writes (a queued row canceled, a person's
/// verdict, a status of a tracked version) are settled by the state's compare-and-set alone.
enum LeaseFence {
    /// Take or renew the lease: a create starts.
    case acquire
    /// Hold it at the known generation: a create in flight or being reconciled moves on.
    case hold

    init?(_ write: SubmissionWrite) {
        if write.next == .submitting {
            self = .acquire
        } else if write.expected == .submitting || write.expected == .reconciling {
            self = .hold
        } else {
            return nil
        }
    }
}
