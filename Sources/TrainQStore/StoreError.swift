/// Why the store refused or failed a call. Compare `kind` to branch:
///
/// ```swift
/// catch let error as StoreError where error.kind == .unavailable { /* answer 503 */ }
/// ```
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable category of a failure; new kinds may be added.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Code: String, Sendable, Hashable {
            case unavailable
            case closed
            case invalidCursor
            case invalidQuery
            case invalidTransition
            case corruptRow
            case database
        }

        private let code: Code

        /// The database cannot take writes or reads right now (full disk, I/O error, lock held too
        /// long). Nothing was stored; the same call may succeed once the cause is fixed.
        public static let unavailable = Kind(code: .unavailable)
        /// The store was closed.
        public static let closed = Kind(code: .closed)
        /// A list cursor that this store did not hand out (or that was altered).
        public static let invalidCursor = Kind(code: .invalidCursor)
        /// A query parameter out of range (a limit below 1, ...).
        public static let invalidQuery = Kind(code: .invalidQuery)
        /// A state change the transition table forbids; nothing was written.
        public static let invalidTransition = Kind(code: .invalidTransition)
        /// A stored row that cannot be read back (an unknown state name, malformed JSON).
        public static let corruptRow = Kind(code: .corruptRow)
        /// Any other SQLite failure: a defect in the store's SQL rather than a condition of the disk.
        public static let database = Kind(code: .database)

        public var description: String { code.rawValue }
    }

    public let kind: Kind
    /// What happened, in words fit for a log line or an API error message.
    public let reason: String
    /// The SQLite failure underneath, when there is one.
    public let sqlite: SQLiteError?

    public init(kind: Kind, reason: String, sqlite: SQLiteError? = nil) {
        self.kind = kind
        self.reason = reason
        self.sqlite = sqlite
    }

    public var description: String { "\(kind): \(reason)" }

    /// Sorts an SQLite failure into `unavailable` (the storage) or `database` (the statement).
    init(_ error: SQLiteError) {
        if error.isStorageFailure {
            self.init(kind: .unavailable, reason: "database unavailable: \(error.message)", sqlite: error)
        } else {
            self.init(kind: .database, reason: "database error: \(error.message)", sqlite: error)
        }
    }

    /// Any error from the store's internals as a `StoreError`.
    static func wrapping(_ error: any Error) -> StoreError {
        switch error {
        case let error as StoreError: error
        case let error as SQLiteError: StoreError(error)
        default: StoreError(kind: .database, reason: "\(error)")
        }
    }
}
