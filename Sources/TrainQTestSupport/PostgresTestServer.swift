import Foundation
import Logging
import PostgresNIO
import TrainQPostgres

/// The PostgreSQL server the tests use: the one `scripts/postgres-for-tests` started, named by
/// `TRAINQ_TEST_POSTGRES_URL` and `TRAINQ_TEST_POSTGRES_PASSWORD_FILE`. Each test gets a database of its
/// own and drops it afterwards. CI sets `TRAINQ_REQUIRE_POSTGRES=1`: a missing server then fails these
/// tests instead of skipping them.
public enum PostgresTestServer {
    public struct Missing: Error, CustomStringConvertible {
        public var description: String { "no PostgreSQL server for the tests: eval \"$(scripts/postgres-for-tests start)\"" }
    }

    public static let logger = Logger(label: "trainq.tests.postgres")

    public static var isRequired: Bool { ProcessInfo.processInfo.environment["TRAINQ_REQUIRE_POSTGRES"] == "1" }

    public static var settings: PostgresConnectionSettings? {
        let environment = ProcessInfo.processInfo.environment
        guard let text = environment["TRAINQ_TEST_POSTGRES_URL"], let url = try? PostgresDatabaseURL(parsing: text) else { return nil }
        let password = environment["TRAINQ_TEST_POSTGRES_PASSWORD_FILE"].flatMap { try? PostgresConnectionSettings.password(fromFile: $0) }
        return PostgresConnectionSettings(url: url, password: password)
    }

    /// Run the server's tests when there is a server, and always in CI (where a missing one fails them).
    public static var shouldRun: Bool { settings != nil || isRequired }

    @discardableResult
    public static func withClient<Result: Sendable>(
        _ settings: PostgresConnectionSettings, _ body: (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(configuration: settings.clientConfiguration(maximumConnections: 4), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// `body` with the settings of a database made for it, dropped afterwards whatever happens.
    public static func withFreshDatabase<Result: Sendable>(_ body: (PostgresConnectionSettings) async throws -> Result) async throws -> Result {
        guard let admin = settings else { throw Missing() }
        let name = "trainq_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try await withClient(admin) { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        var own = admin
        own.url.database = name
        func drop() async throws {
            try await withClient(admin) { client in
                try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
            }
        }
        do {
            let result = try await body(own)
            try await drop()
            return result
        } catch {
            try? await drop()
            throw error
        }
    }
}
