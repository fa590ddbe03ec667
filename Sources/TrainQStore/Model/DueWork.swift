import Foundation
import TrainQAPI

/// What the submitter may start now, and when it should look again.
public struct DueWork: Sendable {
    /// Due submissions, at most one per job and none of a busy job, longest-waiting first.
    public var due: [StoredSubmission]
    /// More submissions were due than were asked for.
    public var moreDue: Bool
    /// The earliest time a waiting submission of a job that is not busy becomes due (nil: none waits).
    public var nextDueAt: Date?

    public init(due: [StoredSubmission], moreDue: Bool, nextDueAt: Date?) {
        self.due = due
        self.moreDue = moreDue
        self.nextDueAt = nextDueAt
    }
}

/// The next waiting submission of one job: the only one of that job the submitter could start.
public struct WaitingHead: Sendable {
    public var id: String
    public var job: JobKey
    public var isQueued: Bool
    public var nextAttemptAt: Date?

    public init(id: String, job: JobKey, isQueued: Bool, nextAttemptAt: Date?) {
        self.id = id
        self.job = job
        self.isQueued = isQueued
        self.nextAttemptAt = nextAttemptAt
    }

    /// Every `queued` submission is due; a `retrying` one once its `next_attempt_at` has come.
    public func isDue(at now: Date) -> Bool {
        isQueued || (nextAttemptAt ?? .distantPast) <= now
    }

    /// Longest-waiting first; ids break ties in insertion order.
    static func dueOrder(_ lhs: WaitingHead, _ rhs: WaitingHead) -> Bool {
        let left = lhs.nextAttemptAt ?? .distantPast
        let right = rhs.nextAttemptAt ?? .distantPast
        return left != right ? left < right : lhs.id < rhs.id
    }
}

extension DueWork {
    /// Which heads to start now, the same in every store: the due heads of jobs not in `busy`,
    /// longest-waiting first, at most `limit`; whether more were due; and when the next one of a free job
    /// becomes due.
    public static func choose(
        from heads: [WaitingHead], busy: Set<JobKey>, now: Date, limit: Int
    ) -> (chosen: [WaitingHead], moreDue: Bool, nextDueAt: Date?) {
        let free = heads.filter { !busy.contains($0.job) }
        let due = free.filter { $0.isDue(at: now) }.sorted(by: WaitingHead.dueOrder)
        let chosen = Array(due.prefix(max(limit, 0)))
        let nextDueAt = free.filter { !$0.isDue(at: now) }.compactMap(\.nextAttemptAt).min()
        return (chosen, due.count > chosen.count, nextDueAt)
    }

    /// The earliest due time among `heads` due at `now`: the oldest due submission, since each head is the
    /// earliest of its job.
    public static func oldestDue(of heads: [WaitingHead], now: Date) -> Date? {
        heads.filter { $0.isDue(at: now) }.compactMap(\.nextAttemptAt).min()
    }
}

extension SubmissionState {
    /// The states for which `isIn` holds, as an SQL list (`'queued', 'retrying'`), for either database.
    public static func sqlList(_ isIn: (SubmissionState) -> Bool) -> String {
        allCases.filter(isIn).map { "'\($0.rawValue)'" }.joined(separator: ", ")
    }
}
