import Foundation
import TrainQAPI

extension SubmissionStore {
    /// One submission as the API shows it: with its attempts (in order) and its history.
    public func submission(id: String) throws -> SubmissionView? {
        try read { tables in try tables.submission(id: id, includeHistory: true)?.view }
    }

    /// A page of submissions, newest first, filtered by state, job and owner. Rows carry their
    /// attempts but no history (ask `submission(id:)` for that). A cursor not handed out by this store
    /// is a `StoreError.Kind.invalidCursor`; a limit below 1 an `invalidQuery`.
    public func list(_ query: SubmissionQuery) throws -> SubmissionList {
        let window = try ListWindow(query)
        return window.page(try read { tables in
            try tables.list(
                state: query.state, jobID: query.jobID, ownerUID: query.ownerUID, after: window.after, limit: window.fetchLimit)
        })
    }

    /// How many submissions are in each state; every state is present (0 when empty).
    public func countsByState() throws -> [SubmissionState: Int] {
        try read { tables in try tables.countsByState() }
    }

    /// How long the longest-waiting due submission has been due (`queued`, or `retrying` past its
    /// time); nil when none is due. Zero or more.
    public func oldestDue(now: Date) throws -> Duration? {
        guard let dueSince = try read({ tables in try tables.oldestDueDate(now: now) }) else { return nil }
        let milliseconds = max(0, EpochMilliseconds.from(now) - EpochMilliseconds.from(dueSince))
        return .milliseconds(milliseconds)
    }
}
