import Foundation
import TrainQAPI

/// What the submitter and reconciler read: rows with the budget fields the API view lacks.
extension SubmissionStore {
    /// One submission with its attempts, budget and remote details (no history).
    public func stored(id: String) throws -> StoredSubmission? {
        try read { tables in try tables.submission(id: id, includeHistory: false) }
    }

    /// Submissions ready for an attempt: every `queued` one, and `retrying` ones whose
    /// `next_attempt_at` is at or before `now`; the longest-waiting first, at most `limit`.
    public func due(now: Date, limit: Int) throws -> [StoredSubmission] {
        guard limit >= 1 else { return [] }
        return try read { tables in try tables.due(now: now, limit: limit) }
    }

    /// When the next `queued` or `retrying` submission is due (possibly in the past); nil when none waits.
    public func nextDueDate() throws -> Date? {
        try read { tables in try tables.nextDueDate() }
    }

    /// Every submission in `state`, oldest first, with attempts.
    public func submissions(in state: SubmissionState) throws -> [StoredSubmission] {
        try read { tables in try tables.submissions(in: state) }
    }

    /// Jobs that have a submission `submitting`, `reconciling` or `needs_attention`: a create for them
    /// is in flight or of unknown outcome, so no other create may start (DESIGN §2).
    public func jobsWithOpenCreate() throws -> Set<JobKey> {
        try read { tables in try tables.jobsWithOpenCreate() }
    }
}
