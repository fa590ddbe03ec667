/// The PostgreSQL store's schema history, versioned as the SQLite one is: released steps are never
/// edited; a change is a new step. Step 1 is the SQLite schema as of its step 8, in PostgreSQL's types
/// (times are integer milliseconds since 1970, as there).
///
/// Each step is a list of statements: PostgreSQL's extended protocol takes one statement per query.
public enum PostgresSchema {
    public struct Migration: Sendable {
        public var version: Int
        public var name: String
        public var statements: [String]

        public init(version: Int, name: String, statements: [String]) {
            self.version = version
            self.name = name
            self.statements = statements
        }
    }

    public static let migrations: [Migration] = [version1, version2]

    public static var latestVersion: Int { migrations.last?.version ?? 0 }

    static let version1 = Migration(
        version: 1, name: "submissions, attempts and events",
        statements: [
            """
            CREATE TABLE submissions (
                id TEXT PRIMARY KEY,
                state TEXT NOT NULL,
                owner_uid BIGINT NOT NULL,
                owner_user TEXT NOT NULL,
                project_id TEXT NOT NULL,
                job_id BIGINT NOT NULL,
                request BYTEA NOT NULL,
                idempotency_key TEXT,
                fingerprint BYTEA NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                next_attempt_at BIGINT,
                attempt_count INTEGER NOT NULL DEFAULT 0,
                budget_started_at BIGINT NOT NULL,
                version_id BIGINT,
                version_name TEXT,
                remote_code INTEGER,
                remote_name TEXT,
                remote_at BIGINT,
                reason TEXT,
                last_error_http_status INTEGER,
                last_error_code TEXT,
                last_error_message TEXT,
                version_created_at BIGINT,
                remote_snapshot BYTEA,
                start_time BIGINT,
                duration_ms BIGINT,
                relist_count INTEGER NOT NULL DEFAULT 0,
                relist_at BIGINT,
                api TEXT NOT NULL DEFAULT 'v1',
                training_job_id TEXT,
                training_job_name TEXT,
                from_job TEXT
            )
            """,
            "CREATE UNIQUE INDEX submissions_by_owner_key ON submissions (owner_uid, idempotency_key) WHERE idempotency_key IS NOT NULL",
            "CREATE INDEX submissions_by_created ON submissions (created_at, id)",
            "CREATE INDEX submissions_by_job ON submissions (job_id, created_at, id)",
            "CREATE INDEX submissions_by_owner ON submissions (owner_uid, created_at, id)",
            "CREATE INDEX submissions_by_state ON submissions (state, created_at, id)",
            """
            CREATE INDEX submissions_waiting_by_job ON submissions (project_id, job_id, next_attempt_at, id)
                WHERE state IN ('queued', 'retrying')
            """,
            """
            CREATE INDEX submissions_ended ON submissions (updated_at)
                WHERE state IN ('succeeded', 'failed', 'stopped', 'rejected', 'exhausted', 'canceled')
            """,
            """
            CREATE TABLE attempts (
                submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
                number INTEGER NOT NULL,
                started_at BIGINT NOT NULL,
                server_started_at BIGINT,
                finished_at BIGINT,
                outcome TEXT,
                http_status INTEGER,
                error_code TEXT,
                message TEXT,
                request_id TEXT,
                delay_ms BIGINT,
                PRIMARY KEY (submission_id, number)
            )
            """,
            """
            CREATE TABLE events (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at BIGINT NOT NULL,
                submission_id TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
                job_id BIGINT NOT NULL,
                state TEXT NOT NULL,
                remote_code INTEGER,
                remote_name TEXT,
                reason TEXT
            )
            """,
            "CREATE INDEX events_by_submission ON events (submission_id, seq)",
            "CREATE INDEX events_by_job ON events (job_id, seq)",
        ])

    /// Several daemons on one database (DESIGN §8): which daemon took each submission; one lease per
    /// training job, on the database's clock, whose generation fences a daemon that comes back late; the
    /// daemons' heartbeats (how many share the outgoing rate, and who holds a name); and the event counter, whose row lock gives events their seq in commit order, so a follower that read
    /// up to seq N never later finds an event below N.
    static let version2 = Migration(
        version: 2, name: "daemons sharing one database",
        statements: [
            "ALTER TABLE submissions ADD COLUMN taken_by TEXT",
            """
            CREATE TABLE job_leases (
                project_id TEXT NOT NULL,
                job_id BIGINT NOT NULL,
                holder TEXT NOT NULL,
                generation BIGINT NOT NULL,
                expires_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (project_id, job_id)
            )
            """,
            "CREATE INDEX job_leases_by_holder ON job_leases (holder)",
            "CREATE TABLE event_counter (only_row BOOLEAN PRIMARY KEY DEFAULT true CHECK (only_row), seq BIGINT NOT NULL)",
            "INSERT INTO event_counter (seq) SELECT COALESCE(MAX(seq), 0) FROM events",
            """
            CREATE TABLE daemons (
                name TEXT PRIMARY KEY,
                host TEXT NOT NULL,
                pid INTEGER NOT NULL,
                started_at TIMESTAMPTZ NOT NULL,
                beat_at TIMESTAMPTZ NOT NULL
            )
            """,
        ])
}
