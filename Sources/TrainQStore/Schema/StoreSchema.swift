/// The store's schema history. Released steps are never edited; a change is a new step.
///
/// Times are integer milliseconds since 1970. `request` holds the canonical JSON bytes of the
/// accepted request; `fingerprint` is SHA-256 over what makes two requests "the same" for
/// idempotency (project, job and request).
enum StoreSchema {
    static let migrator = SQLiteMigrator(migrations: [version1, version2, version3, version4, version5, version6, version7, version8, version9, version10])

    static let version1 = SQLiteMigration(
        version: 1, name: "submissions, attempts and events",
        sql: """
            CREATE TABLE submissions (
                id TEXT PRIMARY KEY NOT NULL,
                state TEXT NOT NULL,
                owner_uid INTEGER NOT NULL,
                owner_user TEXT NOT NULL,
                project_id TEXT NOT NULL,
                job_id INTEGER NOT NULL,
                request BLOB NOT NULL,
                idempotency_key TEXT,
                fingerprint BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                next_attempt_at INTEGER,
                attempt_count INTEGER NOT NULL DEFAULT 0,
                budget_started_at INTEGER NOT NULL,
                version_id INTEGER,
                version_name TEXT,
                remote_code INTEGER,
                remote_name TEXT,
                remote_at INTEGER,
                reason TEXT,
                last_error_http_status INTEGER,
                last_error_code TEXT,
                last_error_message TEXT
            );
            CREATE UNIQUE INDEX submissions_by_owner_key ON submissions(owner_uid, idempotency_key)
                WHERE idempotency_key IS NOT NULL;
            CREATE INDEX submissions_by_due ON submissions(state, next_attempt_at);
            CREATE INDEX submissions_by_created ON submissions(created_at, id);
            CREATE INDEX submissions_by_job ON submissions(job_id, created_at, id);
            CREATE INDEX submissions_by_owner ON submissions(owner_uid, created_at, id);

            CREATE TABLE attempts (
                submission_id TEXT NOT NULL REFERENCES submissions(id),
                number INTEGER NOT NULL,
                started_at INTEGER NOT NULL,
                finished_at INTEGER,
                outcome TEXT,
                http_status INTEGER,
                error_code TEXT,
                message TEXT,
                request_id TEXT,
                delay_ms INTEGER,
                PRIMARY KEY (submission_id, number)
            ) WITHOUT ROWID;

            CREATE TABLE events (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                at INTEGER NOT NULL,
                submission_id TEXT NOT NULL REFERENCES submissions(id),
                job_id INTEGER NOT NULL,
                state TEXT NOT NULL,
                remote_code INTEGER,
                remote_name TEXT,
                reason TEXT
            );
            CREATE INDEX events_by_submission ON events(submission_id, seq);
            """)

    /// What tracking learns about the created version, and the indexes for the state and job filters.
    static let version2 = SQLiteMigration(
        version: 2, name: "remote version details",
        sql: """
            ALTER TABLE submissions ADD COLUMN version_created_at INTEGER;
            ALTER TABLE submissions ADD COLUMN remote_snapshot BLOB;
            ALTER TABLE submissions ADD COLUMN start_time INTEGER;
            ALTER TABLE submissions ADD COLUMN duration_ms INTEGER;
            CREATE INDEX submissions_by_state ON submissions(state, created_at, id);
            CREATE INDEX events_by_job ON events(job_id, seq);
            """)

    /// The waiting rows of each job in due order, so the submitter finds every job's next submission
    /// with one index seek per job instead of reading past the backlog of jobs that are busy.
    static let version3 = SQLiteMigration(
        version: 3, name: "waiting submissions by job",
        sql: """
            CREATE INDEX submissions_waiting_by_job ON submissions(project_id, job_id, next_attempt_at, id)
                WHERE state IN ('queued', 'retrying');
            """)

    /// Every index is another page written by each insert and transition. `submissions_by_due` is
    /// no longer read: due work and its age come from `submissions_waiting_by_job`, state lookups use
    /// `submissions_by_state`.
    static let version4 = SQLiteMigration(
        version: 4, name: "drop the unused due index",
        sql: """
            DROP INDEX submissions_by_due;
            """)

    /// Each attempt's start on ModelArts' clock, so reconciliation does not trust the host's.
    static let version5 = SQLiteMigration(
        version: 5, name: "attempt start on the service's clock",
        sql: """
            ALTER TABLE attempts ADD COLUMN server_started_at INTEGER;
            """)

    /// Reconciliation's progress on the row, so a restart resumes the re-list schedule instead of starting
    /// it over (and listing a job that was just listed).
    static let version6 = SQLiteMigration(
        version: 6, name: "re-list progress on the row",
        sql: """
            ALTER TABLE submissions ADD COLUMN relist_count INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE submissions ADD COLUMN relist_at INTEGER;
            """)

    /// Ended submissions by the time they last changed, for retention to find the ones past it without
    /// reading the live ones. Only rows in an ended state are in it.
    static let version7 = SQLiteMigration(
        version: 7, name: "ended submissions by last change",
        sql: """
            CREATE INDEX submissions_ended ON submissions(updated_at) WHERE state IN (\(StoreTables.endedStateList));
            """)

    /// v2 training jobs (DESIGN §2): which API, the job trainq created and the name it was created
    /// under, and the job a copy came from. A v2 row's `job_id` is a negative lane (`TrainingJobLane`).
    static let version8 = SQLiteMigration(
        version: 8, name: "v2 training jobs",
        sql: """
            ALTER TABLE submissions ADD COLUMN api TEXT NOT NULL DEFAULT 'v1';
            ALTER TABLE submissions ADD COLUMN training_job_id TEXT;
            ALTER TABLE submissions ADD COLUMN training_job_name TEXT;
            ALTER TABLE submissions ADD COLUMN from_job TEXT;
            """)

    /// The daemon that took a submission, as the PostgreSQL store records it (DESIGN §8). A daemon with its
    /// own file leaves it empty: the column is here so that both stores read rows with one decoder.
    static let version9 = SQLiteMigration(
        version: 9, name: "the daemon that took a submission",
        sql: """
            ALTER TABLE submissions ADD COLUMN taken_by TEXT;
            """)

    /// Events without AUTOINCREMENT: its high-water mark lived in `sqlite_sequence`, one more page written by
    /// every commit (issue #12: a single insert wrote 13 WAL pages). A seq is still never handed out twice:
    /// a new event takes one more than the larger of the newest event and `events_high_water`, the newest
    /// seq retention ever deleted (it is written only when retention deletes events, and here, from the
    /// old mark). An event whose submission is gone cannot exist with foreign keys on; should a file hold
    /// one anyway, it is left behind rather than failing the copy and with it the daemon's start. The copy
    /// takes about 4 s per million events.
    static let version10 = SQLiteMigration(
        version: 10, name: "events without AUTOINCREMENT",
        sql: """
            CREATE TABLE events_high_water (seq INTEGER NOT NULL);
            INSERT INTO events_high_water SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0);
            CREATE TABLE events_rebuilt (
                seq INTEGER PRIMARY KEY,
                at INTEGER NOT NULL,
                submission_id TEXT NOT NULL REFERENCES submissions(id),
                job_id INTEGER NOT NULL,
                state TEXT NOT NULL,
                remote_code INTEGER,
                remote_name TEXT,
                reason TEXT
            );
            INSERT INTO events_rebuilt (seq, at, submission_id, job_id, state, remote_code, remote_name, reason)
                SELECT seq, at, submission_id, job_id, state, remote_code, remote_name, reason FROM events
                WHERE submission_id IN (SELECT id FROM submissions) ORDER BY seq;
            DROP TABLE events;
            ALTER TABLE events_rebuilt RENAME TO events;
            CREATE INDEX events_by_submission ON events(submission_id, seq);
            CREATE INDEX events_by_job ON events(job_id, seq);
            """)
}
