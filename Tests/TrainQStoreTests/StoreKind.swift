import Foundation
import Logging
import PostgresNIO
import TrainQAPI
import TrainQTestSupport

@testable import TrainQPostgres
@testable import TrainQStore

/// The stores the shared store tests run against. PostgreSQL's run when a server is there, and always in
/// CI, where a missing server fails them (`PostgresTestServer.shouldRun`).
enum StoreKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case postgres

    static var available: [StoreKind] { PostgresTestServer.shouldRun ? [.sqlite, .postgres] : [.sqlite] }

    var description: String { rawValue }
}

/// A store of `kind` on a new database: a file in its own temporary directory, or a PostgreSQL database
/// made for this test and dropped afterwards.
func withStore<Result: Sendable>(_ kind: StoreKind, _ body: (any SubmissionStorage) async throws -> Result) async throws -> Result {
    switch kind {
    case .sqlite:
        return try await withStore { store, _ async throws in try await body(store) }
    case .postgres:
        return try await PostgresTestServer.withFreshDatabase { settings in
            let store = try await PostgresSubmissionStore.open(
                settings: settings, configuration: PostgresStoreConfiguration(instanceName: "test-daemon"), logger: testLogger)
            do {
                let result = try await body(store)
                await store.close()
                return result
            } catch {
                await store.close()
                throw error
            }
        }
    }
}

/// Counts rows of a table, whichever store holds it.
func count(_ table: String, in store: any SubmissionStorage) async throws -> Int64 {
    switch store {
    case let store as SubmissionStore:
        return try await store.withConnection { connection in try connection.scalarInt64("SELECT COUNT(*) FROM \(table)") ?? -1 }
    case let store as PostgresSubmissionStore:
        return try await store.read("count") { connection in
            try await connection.rows(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(table)"), logger: testLogger).first?
                .decode(Int64.self) ?? -1
        }
    default:
        throw UnexpectedOutcome(description: "no row count for \(type(of: store))")
    }
}
