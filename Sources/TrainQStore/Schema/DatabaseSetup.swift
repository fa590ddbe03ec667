import Logging

/// Opens the database file the way the store needs it: WAL, `synchronous=FULL` (a commit is on
/// disk when it returns), a busy timeout, foreign keys on, then migrates it.
enum DatabaseSetup {
    /// How long a statement waits for a lock another process holds before it fails with SQLITE_BUSY.
    static let busyTimeoutMilliseconds = 5_000

    static func open(path: String, logger: Logger) throws -> SQLiteConnection {
        let connection = try SQLiteConnection(path: path)
        do {
            try configure(connection, logger: logger)
            let (from, to) = try StoreSchema.migrator.migrate(connection)
            if from != to {
                logger.info("migrated the database schema", metadata: ["from": "\(from)", "to": "\(to)", "path": "\(path)"])
            }
            return connection
        } catch {
            connection.close()
            throw error
        }
    }

    static func configure(_ connection: SQLiteConnection, logger: Logger) throws {
        try connection.exec("PRAGMA busy_timeout = \(busyTimeoutMilliseconds)")
        let journalMode = try connection.scalarString("PRAGMA journal_mode = WAL")
        if journalMode?.lowercased() != "wal" {
            // Still durable with FULL, only slower and with readers blocking the writer.
            logger.warning("the database does not support WAL", metadata: ["journal_mode": "\(journalMode ?? "?")"])
        }
        try connection.exec("PRAGMA synchronous = FULL")
        try connection.exec("PRAGMA foreign_keys = ON")
    }
}
