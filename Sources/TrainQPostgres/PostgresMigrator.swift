import Logging
import PostgresNIO

/// Brings a database to the latest schema, safely when several daemons start at once: the whole run is
/// one transaction that first takes a transaction-level advisory lock, so a second daemon waits, then
/// finds the steps already applied. PostgreSQL's DDL is transactional: a step that fails leaves nothing.
public enum PostgresMigrator {
    /// The advisory lock's key: "trainq" in ASCII, so it does not collide with another program's lock
    /// on a shared server by accident.
    static let lockKey: Int64 = 0x7472_6169_6E71

    public struct Outcome: Sendable, Hashable {
        public var from: Int
        public var to: Int

        public init(from: Int, to: Int) {
            self.from = from
            self.to = to
        }
    }

    /// The database's schema is newer than this trainqd knows: an older daemon must not write to it.
    public struct NewerSchema: Error, Sendable, Hashable, CustomStringConvertible {
        public var databaseVersion: Int
        public var knownVersion: Int

        public init(databaseVersion: Int, knownVersion: Int) {
            self.databaseVersion = databaseVersion
            self.knownVersion = knownVersion
        }

        public var description: String {
            "the database's schema is at step \(databaseVersion), newer than this trainqd knows (\(knownVersion)); upgrade trainqd"
        }
    }

    @discardableResult
    public static func migrate(
        _ client: PostgresClient, migrations: [PostgresSchema.Migration] = PostgresSchema.migrations, logger: Logger
    ) async throws -> Outcome {
        let known = migrations.last?.version ?? 0
        do {
            return try await run(client, migrations: migrations, known: known, logger: logger)
        } catch let error as PostgresTransactionError {
            // The step's own error says what went wrong; the wrapper only says it was in a transaction.
            throw error.closureError ?? error
        }
    }

    private static func run(
        _ client: PostgresClient, migrations: [PostgresSchema.Migration], known: Int, logger: Logger
    ) async throws -> Outcome {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS trainq_schema_migrations (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """, logger: logger)
            let current = try await currentVersion(connection, logger: logger)
            guard current <= known else { throw NewerSchema(databaseVersion: current, knownVersion: known) }
            for migration in migrations where migration.version > current {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO trainq_schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger)
                logger.notice("database schema step applied", metadata: ["step": "\(migration.version)", "name": "\(migration.name)"])
            }
            return Outcome(from: current, to: max(current, known))
        }
    }

    /// The highest step applied, 0 for a database trainq never used.
    public static func currentVersion(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query("SELECT COALESCE(MAX(version), 0) FROM trainq_schema_migrations", logger: logger)
        for try await version in rows.decode(Int.self) { return version }
        return 0
    }
}
