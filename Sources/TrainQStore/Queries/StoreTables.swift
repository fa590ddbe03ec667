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
