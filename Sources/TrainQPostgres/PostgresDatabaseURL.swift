import Foundation

/// `database.url`: `postgresql://USER@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]`.
///
/// The password is never part of it: it comes from `database.password_file` or a systemd credential, so
/// a configuration file that names the database can be world-readable.
public struct PostgresDatabaseURL: Sendable, Hashable, CustomStringConvertible {
    /// How the connection uses TLS, as libpq's `sslmode` names it.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        case disable, prefer, require
    }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var tlsMode: TLSMode

    public static let defaultPort = 5432

    public init(user: String, host: String, port: Int = defaultPort, database: String, tlsMode: TLSMode = .prefer) {
        self.user = user
        self.host = host
        self.port = port
        self.database = database
        self.tlsMode = tlsMode
    }

    public init(parsing text: String, key: String = "database.url") throws(PostgresConfigurationError) {
        func fail(_ problem: String) -> PostgresConfigurationError {
            PostgresConfigurationError(key: key, problem: problem + " (expected postgresql://USER@HOST:PORT/DATABASE)")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw fail("'\(text)' is not a URL")
        }
        guard scheme == "postgresql" || scheme == "postgres" else { throw fail("the scheme must be postgresql, not \(scheme)") }
        guard components.password == nil else {
            throw PostgresConfigurationError(
                key: key, problem: "holds a password; put it in database.password_file or a systemd credential instead")
        }
        guard let user = components.user, !user.isEmpty else { throw fail("names no user") }
        guard let host = components.host, !host.isEmpty else { throw fail("names no host") }
        let port = components.port ?? Self.defaultPort
        guard (1...65_535).contains(port) else { throw fail("port \(port) is out of range") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw fail("names no database") }
        var tlsMode = TLSMode.prefer
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else { throw fail("the parameter '\(item.name)' is not one trainq reads (only sslmode)") }
            guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                throw fail("sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            tlsMode = mode
        }
        self.init(user: user.removingPercentEncoding ?? user, host: host, port: port, database: database, tlsMode: tlsMode)
    }

    /// The URL without a password (it never holds one): safe for logs and `trainq status`.
    public var description: String {
        "postgresql://\(user)@\(host):\(port)/\(database)" + (tlsMode == .prefer ? "" : "?sslmode=\(tlsMode.rawValue)")
    }
}
