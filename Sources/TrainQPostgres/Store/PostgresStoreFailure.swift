import PostgresNIO
import TrainQStore

/// Sorts what PostgresNIO throws into the store's kinds: the database being out of reach, restarting or
/// overloaded is `unavailable` (nothing was stored; the same call may succeed later, and the API answers
/// 503); an error in a statement is `database`.
enum PostgresStoreFailure {
    static func storeError(_ error: any Error, during operation: String) -> StoreError {
        switch error {
        case let error as StoreError:
            return error
        case let error as PostgresTransactionError:
            if let inner = error.closureError ?? error.beginError ?? error.commitError {
                return storeError(inner, during: operation)
            }
            return StoreError(kind: .unavailable, reason: "\(operation): the database transaction failed")
        case let error as PSQLError:
            return storeError(error, during: operation)
        case is CancellationError:
            return StoreError(kind: .unavailable, reason: "\(operation): cancelled before the database answered")
        default:
            return StoreError(kind: .unavailable, reason: "\(operation): the database cannot be reached: \(error)")
        }
    }

    private static func storeError(_ error: PSQLError, during operation: String) -> StoreError {
        guard error.code == .server, let state = error.serverInfo?[.sqlState] else {
            return StoreError(kind: .unavailable, reason: "\(operation): the database cannot be reached (\(error.code))")
        }
        let message = error.serverInfo?[.message] ?? "SQLSTATE \(state)"
        return isUnavailable(sqlState: state)
            ? StoreError(kind: .unavailable, reason: "\(operation): database unavailable: \(message)")
            : StoreError(kind: .database, reason: "\(operation): database error: \(message) (SQLSTATE \(state))")
    }

    /// SQLSTATE classes of a server that cannot serve now: 08 connection exception, 53 insufficient
    /// resources (disk full, too many connections), 57 operator intervention (shutdown, crash restart),
    /// 40 transaction rollback (serialization failure, deadlock) and 25006 read-only transaction (a standby).
    static func isUnavailable(sqlState: String) -> Bool {
        ["08", "53", "57", "40"].contains(String(sqlState.prefix(2))) || sqlState == "25006"
    }
}
