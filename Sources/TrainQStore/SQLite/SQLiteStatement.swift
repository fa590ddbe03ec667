import CSQLite
import Foundation

/// SQLite's marker for "copy the bytes now": bound strings and blobs live only for the call.
private let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One prepared statement. Bind parameters (by 1-based index or by `:name`), `step` through the rows,
/// read typed columns, `reset` to run it again. Finalized when released.
///
/// Not thread-safe: it belongs to the connection's one thread, like the connection itself.
public final class SQLiteStatement {
    let handle: OpaquePointer
    /// The connection, for error messages; `sqlite3_close_v2` keeps it valid while statements live.
    private let connection: OpaquePointer
    public let sql: String
    private lazy var columnIndexes: [String: Int32] = {
        var indexes: [String: Int32] = [:]
        for index in 0..<sqlite3_column_count(handle) {
            if let name = sqlite3_column_name(handle, index) {
                indexes[String(cString: name)] = index
            }
        }
        return indexes
    }()

    init(connection: OpaquePointer, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(connection, sql, -1, 0, &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw SQLiteError(connection: connection, code: code == SQLITE_OK ? SQLITE_MISUSE : code, sql: sql)
        }
        self.handle = statement
        self.connection = connection
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    // MARK: Binding

    /// Binds one value to the 1-based parameter `index`.
    public func bind(_ value: SQLiteValue, at index: Int32) throws(SQLiteError) {
        let code: Int32
        switch value {
        case .null:
            code = sqlite3_bind_null(handle, index)
        case .integer(let integer):
            code = sqlite3_bind_int64(handle, index, integer)
        case .real(let real):
            code = sqlite3_bind_double(handle, index, real)
        case .text(let text):
            code = sqlite3_bind_text(handle, index, text, Int32(text.utf8.count), transientDestructor)
        case .blob(let data):
            code = data.withUnsafeBytes { bytes in
                // An empty Data may have no base address; a zero-length blob is still not NULL.
                guard let base = bytes.baseAddress, bytes.count > 0 else {
                    return sqlite3_bind_zeroblob(handle, index, 0)
                }
                return sqlite3_bind_blob(handle, index, base, Int32(bytes.count), transientDestructor)
            }
        }
        try check(code)
    }

    /// Binds one value to the parameter named `name` (with its prefix, e.g. `:id`).
    public func bind(_ value: SQLiteValue, named name: String) throws(SQLiteError) {
        let index = sqlite3_bind_parameter_index(handle, name)
        guard index > 0 else {
            throw SQLiteError(extendedResultCode: SQLITE_RANGE, message: "no parameter named \(name)", sql: sql)
        }
        try bind(value, at: index)
    }

    public func bind(_ value: Int64?, at index: Int32) throws(SQLiteError) { try bind(SQLiteValue(value), at: index) }
    public func bind(_ value: Double?, at index: Int32) throws(SQLiteError) { try bind(SQLiteValue(value), at: index) }
    public func bind(_ value: String?, at index: Int32) throws(SQLiteError) { try bind(SQLiteValue(value), at: index) }
    public func bind(_ value: Data?, at index: Int32) throws(SQLiteError) { try bind(SQLiteValue(value), at: index) }

    public func bind(_ value: Int64?, named name: String) throws(SQLiteError) { try bind(SQLiteValue(value), named: name) }
    public func bind(_ value: Double?, named name: String) throws(SQLiteError) { try bind(SQLiteValue(value), named: name) }
    public func bind(_ value: String?, named name: String) throws(SQLiteError) { try bind(SQLiteValue(value), named: name) }
    public func bind(_ value: Data?, named name: String) throws(SQLiteError) { try bind(SQLiteValue(value), named: name) }

    /// Binds `values` to parameters 1, 2, 3, ... in order.
    public func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    /// Binds every `name: value` pair; names carry their prefix (`:id`).
    public func bind(_ values: [String: SQLiteValue]) throws(SQLiteError) {
        for (name, value) in values {
            try bind(value, named: name)
        }
    }

    // MARK: Running

    /// Runs the statement to its next row: true when a row is ready to read, false when done.
    @discardableResult
    public func step() throws(SQLiteError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw SQLiteError(connection: connection, code: code, sql: sql)
        }
    }

    /// Steps to the end, for statements that return no rows (or whose rows do not matter).
    public func run() throws(SQLiteError) {
        while try step() {}
    }

    /// Rewinds the statement so it can run again. Bindings stay unless `clearBindings` is set.
    /// The result of the previous run is not reported again: `step` already threw it.
    public func reset(clearBindings: Bool = false) {
        sqlite3_reset(handle)
        if clearBindings {
            sqlite3_clear_bindings(handle)
        }
    }

    // MARK: Columns of the current row (0-based)

    public var columnCount: Int32 { sqlite3_column_count(handle) }

    /// The index of the result column called `name`, if there is one.
    public func columnIndex(_ name: String) -> Int32? { columnIndexes[name] }

    public func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    public func int64(_ column: Int32) -> Int64? {
        isNull(column) ? nil : sqlite3_column_int64(handle, column)
    }

    public func double(_ column: Int32) -> Double? {
        isNull(column) ? nil : sqlite3_column_double(handle, column)
    }

    public func string(_ column: Int32) -> String? {
        guard !isNull(column), let text = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    public func data(_ column: Int32) -> Data? {
        guard !isNull(column) else { return nil }
        guard let bytes = sqlite3_column_blob(handle, column) else { return Data() }
        let count = Int(sqlite3_column_bytes(handle, column))
        return Data(bytes: bytes, count: count)
    }

    /// Columns by name: a missing column reads as NULL, which the caller's decoding reports.
    public func int64(_ name: String) -> Int64? { columnIndex(name).flatMap { int64($0) } }
    public func double(_ name: String) -> Double? { columnIndex(name).flatMap { double($0) } }
    public func string(_ name: String) -> String? { columnIndex(name).flatMap { string($0) } }
    public func data(_ name: String) -> Data? { columnIndex(name).flatMap { data($0) } }

    private func check(_ code: Int32) throws(SQLiteError) {
        guard code == SQLITE_OK else {
            throw SQLiteError(connection: connection, code: code, sql: sql)
        }
    }
}

extension SQLiteStatement: SubmissionColumns {}
