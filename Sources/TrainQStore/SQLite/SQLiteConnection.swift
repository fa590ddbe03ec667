import CSQLite
import Foundation

/// One connection to an SQLite database file, over the system libsqlite3.
///
/// Deliberately small: open, `exec`, `prepare`, a statement cache for the hot queries, and
/// transactions (in `SQLiteConnection+Transaction.swift`). Not thread-safe: the store uses it from
/// one thread only, so it is opened without SQLite's own mutex.
public final class SQLiteConnection {
    /// How to open the file (`SQLITE_OPEN_*`).
    public struct OpenFlags: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let readOnly = OpenFlags(rawValue: SQLITE_OPEN_READONLY)
        public static let readWrite = OpenFlags(rawValue: SQLITE_OPEN_READWRITE)
        public static let create = OpenFlags(rawValue: SQLITE_OPEN_CREATE)
        /// No SQLite-level mutex: the caller guarantees one thread at a time.
        public static let noMutex = OpenFlags(rawValue: SQLITE_OPEN_NOMUTEX)
        /// Extended result codes in every error (`SQLITE_IOERR_FSYNC` rather than `SQLITE_IOERR`).
        public static let extendedResultCodes = OpenFlags(rawValue: SQLITE_OPEN_EXRESCODE)

        public static let `default`: OpenFlags = [.readWrite, .create, .noMutex, .extendedResultCodes]
    }

    /// The `sqlite3*` handle; nil once closed.
    private var handle: OpaquePointer?
    public let path: String
    private var statementCache: [String: SQLiteStatement] = [:]
    /// Kept alive here because SQLite's WAL hook holds it unretained (`countWALWrites`).
    var walWriteCounter: WALWriteCounter?

    public init(path: String, flags: OpenFlags = .default) throws(SQLiteError) {
        var connection: OpaquePointer?
        let code = sqlite3_open_v2(path, &connection, flags.rawValue, nil)
        guard code == SQLITE_OK, let connection else {
            let error = SQLiteError(connection: connection, code: code)
            // On failure SQLite may still hand back a handle that must be closed.
            sqlite3_close_v2(connection)
            throw error
        }
        sqlite3_extended_result_codes(connection, 1)
        self.handle = connection
        self.path = path
    }

    deinit {
        statementCache.removeAll()
        if let handle {
            sqlite3_close_v2(handle)
        }
    }

    /// Finalizes cached statements and closes the file. Statements still held elsewhere keep
    /// SQLite's side open until they are released (`sqlite3_close_v2`). Closing twice is harmless.
    public func close() {
        statementCache.removeAll()
        if let handle {
            sqlite3_close_v2(handle)
            self.handle = nil
        }
    }

    public var isOpen: Bool { handle != nil }

    func openHandle() throws(SQLiteError) -> OpaquePointer {
        guard let handle else {
            throw SQLiteError(extendedResultCode: SQLITE_MISUSE, message: "the database connection is closed")
        }
        return handle
    }

    /// Runs one or more statements that take no parameters (schema, pragmas, transaction control).
    public func exec(_ sql: String) throws(SQLiteError) {
        let handle = try openHandle()
        var errorMessage: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        guard code == SQLITE_OK else {
            let extended = sqlite3_extended_errcode(handle)
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(errorMessage)
            throw SQLiteError(
                extendedResultCode: (extended & 0xFF) == (code & 0xFF) ? extended : code, message: message, sql: sql)
        }
    }

    /// Compiles a statement the caller owns; it is finalized when released.
    public func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        try SQLiteStatement(connection: openHandle(), sql: sql)
    }

    /// The SQL of every statement kept for reuse: what the store has actually run, for the test that
    /// checks each one's query plan.
    var cachedStatementTexts: [String] { Array(statementCache.keys) }

    /// A compiled statement kept for reuse, reset and with cleared bindings. For the hot queries,
    /// whose SQL text is a constant: the cache is keyed by the text.
    public func cachedStatement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let statement = statementCache[sql] {
            statement.reset(clearBindings: true)
            return statement
        }
        let statement = try prepare(sql)
        statementCache[sql] = statement
        return statement
    }

    /// Runs a query and returns the first column of its first row, if any (pragmas, counts).
    public func scalarInt64(_ sql: String) throws(SQLiteError) -> Int64? {
        let statement = try prepare(sql)
        return try statement.step() ? statement.int64(0) : nil
    }

    public func scalarString(_ sql: String) throws(SQLiteError) -> String? {
        let statement = try prepare(sql)
        return try statement.step() ? statement.string(0) : nil
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int {
        handle.map { Int(sqlite3_changes64($0)) } ?? 0
    }

    public var lastInsertRowID: Int64 {
        handle.map { sqlite3_last_insert_rowid($0) } ?? 0
    }

    /// True while a transaction is open (SQLite may end one by itself after a full disk or I/O error).
    public var isInTransaction: Bool {
        handle.map { sqlite3_get_autocommit($0) == 0 } ?? false
    }
}
