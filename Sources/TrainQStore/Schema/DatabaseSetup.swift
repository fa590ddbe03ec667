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
        try enableIncrementalVacuum(connection, logger: logger)
        let journalMode = try connection.scalarString("PRAGMA journal_mode = WAL")
        if journalMode?.lowercased() != "wal" {
            // Still durable with FULL, only slower and with readers blocking the writer.
            logger.warning("the database does not support WAL", metadata: ["journal_mode": "\(journalMode ?? "?")"])
        }
        try connection.exec("PRAGMA synchronous = FULL")
        try connection.countWALWrites()
        try connection.exec("PRAGMA foreign_keys = ON")
    }

    /// Pages that retention frees go back to the file system in steps (`PRAGMA incremental_vacuum`)
    /// instead of staying in the file for ever. A new file gets the mode before its first table; an older
    /// one is rewritten once by a VACUUM. If that fails (it needs free space as large as the file), the
    /// store still works and freed pages are reused rather than given back.
    static func enableIncrementalVacuum(_ connection: SQLiteConnection, logger: Logger) throws {
        guard try connection.scalarInt64("PRAGMA auto_vacuum") != 2 else { return }
        try connection.exec("PRAGMA auto_vacuum = INCREMENTAL")
        guard (try connection.scalarInt64("SELECT count(*) FROM sqlite_master") ?? 0) > 0 else { return }
        logger.notice("rewriting the database once so that it can give freed space back (VACUUM)")
        do {
            try connection.exec("VACUUM")
        } catch {
            logger.warning(
                "could not rewrite the database; freed space will be reused but not given back",
                metadata: ["error": "\(error)"])
        }
    }
}
