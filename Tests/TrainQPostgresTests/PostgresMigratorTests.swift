import Foundation
import PostgresNIO
import Testing
import TrainQPostgres
import TrainQTestSupport

/// The schema against a real PostgreSQL server.
@Suite(.enabled(if: PostgresTestServer.shouldRun, "needs a PostgreSQL server: eval \"$(scripts/postgres-for-tests start)\""))
struct PostgresMigratorTests {
    let logger = PostgresTestServer.logger

    static func tables(_ client: PostgresClient) async throws -> Set<String> {
        let rows = try await client.query("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'")
        var names: Set<String> = []
        for try await name in rows.decode(String.self) { names.insert(name) }
        return names
    }

    static func steps(_ client: PostgresClient) async throws -> [Int] {
        let rows = try await client.query("SELECT version FROM trainq_schema_migrations ORDER BY version")
        var versions: [Int] = []
        for try await version in rows.decode(Int.self) { versions.append(version) }
        return versions
    }

    @Test func anEmptyDatabaseGetsEveryStepOnceAndASecondRunChangesNothing() async throws {
        try await PostgresTestServer.withFreshDatabase { settings in
            try await PostgresTestServer.withClient(settings) { client in
                let first = try await PostgresMigrator.migrate(client, logger: logger)
                #expect(first == .init(from: 0, to: PostgresSchema.latestVersion))
                let tables = try await Self.tables(client)
                #expect(tables.isSuperset(of: ["submissions", "attempts", "events", "trainq_schema_migrations"]))
                let again = try await PostgresMigrator.migrate(client, logger: logger)
                #expect(again == .init(from: PostgresSchema.latestVersion, to: PostgresSchema.latestVersion))
                let steps = try await Self.steps(client)
                #expect(steps == PostgresSchema.migrations.map(\.version))
            }
        }
    }

    @Test func sixDaemonsStartingAtOnceApplyEachStepExactlyOnce() async throws {
        try await PostgresTestServer.withFreshDatabase { settings in
            let outcomes = try await withThrowingTaskGroup(of: PostgresMigrator.Outcome.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await PostgresTestServer.withClient(settings) { client in
                            try await PostgresMigrator.migrate(client, logger: PostgresTestServer.logger)
                        }
                    }
                }
                var outcomes: [PostgresMigrator.Outcome] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            // One daemon applied the steps; the others waited on the lock and found them applied.
            #expect(outcomes.filter { $0.from == 0 }.count == 1)
            #expect(outcomes.allSatisfy { $0.to == PostgresSchema.latestVersion })
            let steps = try await PostgresTestServer.withClient(settings) { client in try await Self.steps(client) }
            #expect(steps == PostgresSchema.migrations.map(\.version))
        }
    }

    @Test func aSchemaNewerThanThisTrainqdIsRefusedAndLeftAlone() async throws {
        try await PostgresTestServer.withFreshDatabase { settings in
            try await PostgresTestServer.withClient(settings) { client in
                try await PostgresMigrator.migrate(client, logger: logger)
                let future = PostgresSchema.latestVersion + 1
                try await client.query("INSERT INTO trainq_schema_migrations (version, name) VALUES (\(future), 'from the future')")
                await #expect(throws: PostgresMigrator.NewerSchema(databaseVersion: future, knownVersion: PostgresSchema.latestVersion)) {
                    try await PostgresMigrator.migrate(client, logger: logger)
                }
                let steps = try await Self.steps(client)
                #expect(steps.last == future)
            }
        }
    }

    @Test func aStepThatFailsLeavesNothingBehind() async throws {
        try await PostgresTestServer.withFreshDatabase { settings in
            try await PostgresTestServer.withClient(settings) { client in
                let broken = PostgresSchema.migrations + [
                    .init(version: PostgresSchema.latestVersion + 1, name: "broken", statements: [
                        "CREATE TABLE half_done (id INTEGER)", "THIS IS NOT SQL",
                    ])
                ]
                await #expect(throws: (any Error).self) { try await PostgresMigrator.migrate(client, migrations: broken, logger: logger) }
                // The whole run was one transaction: not even the good steps before the broken one stayed.
                let tables = try await Self.tables(client)
                #expect(tables.isEmpty)
            }
        }
    }

    @Test func theServerIsThereWhenCIRequiresIt() {
        if PostgresTestServer.isRequired {
            #expect(PostgresTestServer.settings != nil, "CI requires a PostgreSQL server for these tests")
        }
    }
}
