import CSQLite

/// A failed SQLite call: the primary and extended result codes and SQLite's own message,
/// so callers can tell a full disk (`SQLITE_FULL`) from a constraint or a bug in our SQL.
public struct SQLiteError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The primary result code (`SQLITE_FULL`, `SQLITE_IOERR`, ...), the low byte of the extended code.
    public var resultCode: Int32 { extendedResultCode & 0xFF }
    /// The extended result code (`SQLITE_IOERR_FSYNC`, `SQLITE_CONSTRAINT_UNIQUE`, ...).
    public let extendedResultCode: Int32
    /// SQLite's message for the failure (`sqlite3_errmsg`), or the generic text of the code.
    public let message: String
    /// The statement that failed, when there is one; it never holds bound values.
    public let sql: String?

    public init(extendedResultCode: Int32, message: String, sql: String? = nil) {
        self.extendedResultCode = extendedResultCode
        self.message = message
        self.sql = sql
    }

    /// Reads the error of the last call on `connection` (extended codes are switched on at open).
    init(connection: OpaquePointer?, code: Int32, sql: String? = nil) {
        let extended = connection.map { sqlite3_extended_errcode($0) } ?? code
        // sqlite3_extended_errcode may describe a later call; trust it only when it matches.
        let resolved = (extended & 0xFF) == (code & 0xFF) ? extended : code
        let message: String
        if let connection, let text = sqlite3_errmsg(connection) {
            message = String(cString: text)
        } else if let text = sqlite3_errstr(code) {
            message = String(cString: text)
        } else {
            message = "SQLite error \(code)"
        }
        self.init(extendedResultCode: resolved, message: message, sql: sql)
    }

    /// True for failures of the storage itself (full disk, I/O, corruption, locks held too long),
    /// as opposed to mistakes in a statement: the store reports these as "unavailable".
    public var isStorageFailure: Bool {
        switch resultCode {
        case SQLITE_FULL, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_CANTOPEN, SQLITE_READONLY,
            SQLITE_NOMEM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_PROTOCOL:
            true
        default:
            false
        }
    }

    public var description: String {
        var text = "SQLite error \(resultCode) (extended \(extendedResultCode)): \(message)"
        if let sql { text += " in `\(sql)`" }
        return text
    }
}
