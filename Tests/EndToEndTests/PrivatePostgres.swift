import Foundation
import TrainQPostgres

/// A PostgreSQL server of one test's own, started with `scripts/postgres-for-tests`, so the test may crash
/// and restart it without disturbing the server the other tests share.
final class PrivatePostgres: Sendable {
    let settings: PostgresConnectionSettings
    let directory: String

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/postgres-for-tests").path

    init() async throws {
        let started = try await Self.run(["start"])
        var exports: [String: String] = [:]
        for line in started.split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { exports[String(pair[0])] = String(pair[1]) }
        }
        guard let text = exports["TRAINQ_TEST_POSTGRES_URL"], let passwordFile = exports["TRAINQ_TEST_POSTGRES_PASSWORD_FILE"],
            let directory = exports["TRAINQ_TEST_POSTGRES_DIR"]
        else { throw HarnessError("postgres-for-tests printed no server: \(started)") }
        self.directory = directory
        settings = PostgresConnectionSettings(
            url: try PostgresDatabaseURL(parsing: text), password: try PostgresConnectionSettings.password(fromFile: passwordFile))
    }

    /// Stops the server at once, as a crash would: open transactions are cut off.
    func crash() async throws { _ = try await Self.run(["crash", directory]) }
    func restart() async throws { _ = try await Self.run(["restart", directory]) }
    func stop() async { _ = try? await Self.run(["stop", directory]) }

    private static func run(_ arguments: [String]) async throws -> String {
        let directory = try TestDirectory()
        let child = try ChildProcess("/bin/bash", [script] + arguments, directory: directory, name: "postgres-for-tests")
        let code = await child.wait(timeout: .seconds(60))
        guard code == 0 else { throw HarnessError("postgres-for-tests \(arguments.joined(separator: " ")) failed (\(code)):\n\(child.stderr)") }
        return child.stdout
    }
}
