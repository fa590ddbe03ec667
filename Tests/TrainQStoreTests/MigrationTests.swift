import CSQLite
import Foundation
import JSONTree
import Testing
import TrainQAPI

@testable import TrainQStore

@Suite struct MigrationTests {
    @Test func anEmptyFileMigratesToTheLatestVersionWithPragmasSet() async throws {
        try await withStore { store, _ async throws in
            let facts = try await store.withConnection { connection in
                (
                    version: try SQLiteMigrator.currentVersion(of: connection),
                    journal: try connection.scalarString("PRAGMA journal_mode"),
                    synchronous: try connection.scalarInt64("PRAGMA synchronous"),
                    foreignKeys: try connection.scalarInt64("PRAGMA foreign_keys"),
                    busyTimeout: try connection.scalarInt64("PRAGMA busy_timeout")
                )
            }
            #expect(facts.version == StoreSchema.migrator.latestVersion)
            #expect(facts.version == 10)
            #expect(facts.journal == "wal")
            #expect(facts.synchronous == 2)  // FULL
            #expect(facts.foreignKeys == 1)
            #expect(facts.busyTimeout == Int64(DatabaseSetup.busyTimeoutMilliseconds))
        }
    }

    @Test func aVersion1DatabaseWithRowsMigratesAndKeepsThem() async throws {
        try await withTemporaryDirectory { directory async throws in
            let path = directory.appendingPathComponent("old.db").path
            // A database as the first release left it, with one tracking submission.
            do {
                let connection = try SQLiteConnection(path: path)
                let result = try StoreSchema.migrator.migrate(connection, upTo: 1)
                #expect(result.from == 0 && result.to == 1)
                try connection.exec(
                    """
                    INSERT INTO submissions (id, state, owner_uid, owner_user, project_id, job_id, request,
                        fingerprint, created_at, updated_at, attempt_count, budget_started_at, version_id,
                        version_name, remote_code, remote_name, remote_at)
                    VALUES ('01OLDROW', 'tracking', 1000, 'alice', 'p', 10, CAST('{"job_desc":"old"}' AS BLOB),
                        x'00', 1000, 2000, 1, 1000, 21, 'V0002', 8, 'JOBSTAT_RUNNING', 2000);
                    INSERT INTO events (at, submission_id, job_id, state) VALUES (1000, '01OLDROW', 10, 'queued');
                    INSERT INTO events (at, submission_id, job_id, state, remote_code, remote_name)
                        VALUES (2000, '01OLDROW', 10, 'tracking', 8, 'JOBSTAT_RUNNING');
                    """)
                #expect(try SQLiteMigrator.currentVersion(of: connection) == 1)
                connection.close()
            }

            let store = try SubmissionStore(path: path, logger: testLogger)
            let version = try await store.withConnection { try SQLiteMigrator.currentVersion(of: $0) }
            #expect(version == StoreSchema.migrator.latestVersion)
            let indexes = try await store.withConnection { connection in
                let select = try connection.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'submissions_by%' OR name LIKE 'submissions_waiting%'")
                var names: Set<String> = []
                while try select.step() { names.insert(select.string(0) ?? "") }
                return names
            }
            #expect(indexes.contains("submissions_waiting_by_job") && indexes.contains("submissions_by_state"))
            #expect(!indexes.contains("submissions_by_due"))
            let view = try #require(try await store.submission(id: "01OLDROW"))
            #expect(view.state == .tracking)
            #expect(view.versionID == 21)
            #expect(view.remoteStatus?.code == 8)
            #expect(view.request == .object(["job_desc": .string("old")]))
            #expect(view.history.map(\.state) == [.queued, .tracking])
            #expect(await store.lastSequence() == 2)

            // The columns version 2 added work on the old row.
            let updated = try await store.recordRemoteStatus(
                id: "01OLDROW", status: RemoteStatus(code: 10, name: "JOBSTAT_COMPLETED"),
                snapshot: .object(["duration": .integer(5)]), timing: RemoteTiming(durationMS: 5), at: time(1))
            #expect(updated)
            let stored = try #require(try await store.stored(id: "01OLDROW"))
            #expect(stored.remoteSnapshot == .object(["duration": .integer(5)]))
            #expect(stored.timing?.durationMS == 5)
            await store.close()
        }
    }

    /// Step 10 rebuilds `events` without AUTOINCREMENT. A version-9 file whose newest events retention had
    /// deleted keeps their seqs as used: the old high-water mark moves to `events_high_water`. An event of a
    /// submission that is gone (possible only with foreign keys off) is left behind, not a failed start.
    @Test func eventsLoseAutoincrementAndKeepTheirHighWaterMark() async throws {
        try await withTemporaryDirectory { directory async throws in
            let path = directory.appendingPathComponent("v9.db").path
            do {
                let connection = try SQLiteConnection(path: path)
                _ = try StoreSchema.migrator.migrate(connection, upTo: 9)
                try connection.exec(
                    """
                    INSERT INTO submissions (id, state, owner_uid, owner_user, project_id, job_id, request,
                        fingerprint, created_at, updated_at, attempt_count, budget_started_at)
                    VALUES ('01V9ROW', 'queued', 1000, 'alice', 'p', 10, CAST('{}' AS BLOB), x'00', 1000, 1000, 0, 1000);
                    INSERT INTO events (at, submission_id, job_id, state) VALUES (1000, '01V9ROW', 10, 'queued');
                    INSERT INTO events (at, submission_id, job_id, state) VALUES (1001, '01V9ROW', 10, 'queued');
                    INSERT INTO events (at, submission_id, job_id, state) VALUES (1002, '01V9ROW', 10, 'queued');
                    DELETE FROM events WHERE seq > 1;
                    INSERT INTO events (at, submission_id, job_id, state) VALUES (1003, '01GONE', 10, 'queued');
                    """)
                connection.close()
            }

            let store = try SubmissionStore(path: path, logger: testLogger)
            let facts = try await store.withConnection { connection in
                (
                    sql: try connection.scalarString("SELECT sql FROM sqlite_master WHERE name = 'events'") ?? "",
                    sequences: try connection.scalarInt64("SELECT count(*) FROM sqlite_sequence WHERE name = 'events'"),
                    indexes: try connection.scalarInt64("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'")
                )
            }
            #expect(!facts.sql.uppercased().contains("AUTOINCREMENT"))
            #expect(facts.sequences == 0)
            #expect(facts.indexes == 2)
            #expect(try await store.events(after: 0, limit: 10).events.map(\.seq) == [1])
            #expect(await store.lastSequence() == 4)
            let next = try await store.insert(NewSubmission(
                owner: Owner(uid: 1000, user: "alice"), projectID: "p", jobID: 11, request: .object([:])))
            guard case .created(let view) = next else {
                Issue.record("expected a new submission, got \(next)")
                return
            }
            #expect(view.history.first?.seq == 5)
            await store.close()
        }
    }

    @Test func aDatabaseFromANewerProgramIsRefusedUntouched() async throws {
        try await withTemporaryDirectory { directory async throws in
            let path = directory.appendingPathComponent("new.db").path
            do {
                let connection = try SQLiteConnection(path: path)
                try connection.exec("PRAGMA user_version = 99")
                connection.close()
            }
            let error = try #require(throws: StoreError.self) {
                try SubmissionStore(path: path, logger: testLogger)
            }
            #expect(error.kind == .database)
            #expect(error.reason.contains("99"))
            let connection = try SQLiteConnection(path: path)
            #expect(try SQLiteMigrator.currentVersion(of: connection) == 99)
        }
    }

    @Test func migratingTwiceIsANoOp() async throws {
        try await withTemporaryDirectory { directory async throws in
            let connection = try SQLiteConnection(path: directory.appendingPathComponent("t.db").path)
            let first = try StoreSchema.migrator.migrate(connection)
            let second = try StoreSchema.migrator.migrate(connection)
            let latest = StoreSchema.migrator.latestVersion
            #expect(first.from == 0 && first.to == latest)
            #expect(second.from == latest && second.to == latest)
        }
    }
}
