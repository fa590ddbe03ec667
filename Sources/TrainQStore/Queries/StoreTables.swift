import Foundation
import TrainQAPI

/// The store's SQL, over one open connection. Plain synchronous code: the actor decides when it runs
/// (always on its own thread) and which calls share a transaction.
struct StoreTables {
    let connection: SQLiteConnection

    func statement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        try connection.cachedStatement(sql)
    }

    static func milliseconds(_ date: Date) -> Int64 { EpochMilliseconds.from(date) }
    static func milliseconds(_ date: Date?) -> Int64? { date.map(EpochMilliseconds.from) }
}

/// Where `next_attempt_at` comes from: the one rule for it. It means "due at" in `queued` (due at
/// once) and `retrying` (due after the backoff); in every other state it is empty.
enum NextAttemptRule {
    static func nextAttemptAt(entering state: SubmissionState, requested: Date?, at: Date) -> Date? {
        switch state {
        case .queued, .retrying: requested ?? at
        case .submitting, .reconciling, .tracking, .succeeded, .failed, .stopped, .rejected, .exhausted, .canceled,
            .needsAttention:
            nil
        }
    }
}
