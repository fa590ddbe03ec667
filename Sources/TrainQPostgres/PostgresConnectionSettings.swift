import Foundation
import NIOSSL
import PostgresNIO

/// What it takes to reach the database: where (`PostgresDatabaseURL`) and the password, read from its
/// file. Builds the client configuration; the pool is sized by the caller.
public struct PostgresConnectionSettings: Sendable {
    public var url: PostgresDatabaseURL
    public var password: String?

    public init(url: PostgresDatabaseURL, password: String?) {
        self.url = url
        self.password = password
    }

    /// Reads the password from `path` (a `database.password_file`, or `$CREDENTIALS_DIRECTORY/NAME` for a
    /// systemd credential); one trailing newline is not part of it.
    public static func password(fromFile path: String, key: String = "database.password_file") throws(PostgresConfigurationError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PostgresConfigurationError(key: key, problem: "cannot read \(path)")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw PostgresConfigurationError(key: key, problem: "\(path) is not UTF-8 text")
        }
        if text.hasSuffix("\n") { text.removeLast() }
        if text.hasSuffix("\r") { text.removeLast() }
        guard !text.isEmpty else { throw PostgresConfigurationError(key: key, problem: "\(path) is empty") }
        return text
    }

    public func clientConfiguration(maximumConnections: Int = 20) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch url.tlsMode {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.user, password: password, database: url.database, tls: tls)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        // Intake's prepared statement has one good plan whatever its arrays hold; without this the server
        // plans it anew at every execution (more CPU than running it). Only named prepared statements
        // are affected: every other query is planned when it is sent anyway.
        configuration.options.additionalStartupParameters = [("plan_cache_mode", "force_generic_plan")]
        return configuration
    }
}
