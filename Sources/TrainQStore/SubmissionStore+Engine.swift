import Foundation
import TrainQAPI

/// What the submitter and reconciler read: rows with the budget fields the API view lacks.
extension SubmissionStore {
    /// One submission with its attempts, budget and remote details (no history).
    public func stored(id: String) throws -> StoredSubmission? {
        try read { tables in try tables.submission(id: id, includeHistory: false) }
    }

    /// The submissions to attempt now: of each job that is neither in `busyJobs` nor has a create open
    /// in the store (`submitting`, `reconciling`, `needs_attention`), its next waiting one if it is due
    /// (`queued`, or `retrying` with `next_attempt_at` at or before `now`); the longest-waiting first,
    /// at most `limit`. Also when the next waiting submission of such a job becomes due.
    ///
    /// The cost grows with the number of jobs that have waiting submissions, not with their backlog.
    public func dueWork(now: Date, busyJobs: Set<JobKey>, limit: Int) throws -> DueWork {
        try read { tables in
            let choice = DueWork.choose(
                from: try tables.waitingHeads(), busy: busyJobs.union(try tables.jobsWithOpenCreate()), now: now, limit: limit)
            let chosen = try choice.chosen.compactMap { head in try tables.submission(id: head.id, includeHistory: false) }
            return DueWork(due: chosen, moreDue: choice.moreDue, nextDueAt: choice.nextDueAt)
        }
    }

    /// Every submission in `state`, oldest first, with attempts.
    public func submissions(in state: SubmissionState) throws -> [StoredSubmission] {
        try read { tables in try tables.submissions(in: state) }
    }

    /// Jobs that have a submission `submitting`, `reconciling` or `needs_attention`: a create for them
    /// is in flight or of unknown outcome, so no other create may start (DESIGN §2). `dueWork` leaves
    /// them out; this is the same rule on its own, for tests.
    func jobsWithOpenCreate() throws -> Set<JobKey> {
        try read { tables in try tables.jobsWithOpenCreate() }
    }
}
