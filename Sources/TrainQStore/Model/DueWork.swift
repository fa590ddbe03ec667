import Foundation

/// What the submitter may start now, and when it should look again.
public struct DueWork: Sendable {
    /// Due submissions, at most one per job and none of a busy job, longest-waiting first.
    public var due: [StoredSubmission]
    /// More submissions were due than were asked for.
    public var moreDue: Bool
    /// The earliest time a waiting submission of a job that is not busy becomes due (nil: none waits).
    public var nextDueAt: Date?
}

/// The next waiting submission of one job: the only one of that job the submitter could start.
struct WaitingHead: Sendable {
    var id: String
    var job: JobKey
    var isQueued: Bool
    var nextAttemptAt: Date?

    /// Every `queued` submission is due; a `retrying` one once its `next_attempt_at` has come.
    func isDue(at now: Date) -> Bool {
        isQueued || (nextAttemptAt ?? .distantPast) <= now
    }

    /// Longest-waiting first; ids break ties in insertion order.
    static func dueOrder(_ lhs: WaitingHead, _ rhs: WaitingHead) -> Bool {
        let left = lhs.nextAttemptAt ?? .distantPast
        let right = rhs.nextAttemptAt ?? .distantPast
        return left != right ? left < right : lhs.id < rhs.id
    }
}
