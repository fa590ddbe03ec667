import CSQLite

/// One step of the schema's history. Steps are never edited once released: a change is a new step.
public struct SQLiteMigration: Sendable {
    /// The `user_version` the database has after this step.
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Brings a database up to date by `PRAGMA user_version`: every step above the file's version runs
/// in its own transaction together with the version bump, so a crash leaves a consistent version.
public struct SQLiteMigrator: Sendable {
    public let migrations: [SQLiteMigration]

    /// Steps must be numbered 1, 2, 3, ... in order.
    public init(migrations: [SQLiteMigration]) {
        self.migrations = migrations
    }

    public var latestVersion: Int { migrations.last?.version ?? 0 }

    public static func currentVersion(of connection: SQLiteConnection) throws(SQLiteError) -> Int {
        Int(try connection.scalarInt64("PRAGMA user_version") ?? 0)
    }

    /// Applies every step above the current version, up to `target` (default: the latest).
    /// Returns the versions before and after. A file newer than this code is refused, untouched.
    @discardableResult
    public func migrate(_ connection: SQLiteConnection, upTo target: Int? = nil) throws -> (from: Int, to: Int) {
        let target = target ?? latestVersion
        let start = try Self.currentVersion(of: connection)
        guard start <= latestVersion else {
            throw SQLiteError(
                extendedResultCode: SQLITE_SCHEMA,
                message: "the database has schema version \(start), newer than this program's \(latestVersion)")
        }
        for migration in migrations where migration.version > start && migration.version <= target {
            try connection.transaction {
                try connection.exec(migration.sql)
                try connection.exec("PRAGMA user_version = \(migration.version)")
            }
        }
        return (start, max(start, min(target, latestVersion)))
    }
}
