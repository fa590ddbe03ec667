import Foundation
import ModelArts
import TrainQEngine

/// Everything `trainqd` is configured with, after defaults, the YAML file, `TRAINQ_*` variables and flags
/// have been merged and every value checked (DESIGN §6). Secrets are not here: only the paths of the
/// files that hold them. What the engine and the tracker are tuned with is kept in their own
/// configuration types, so each default is written once, where it is used.
public struct DaemonConfiguration: Sendable {
    public struct Socket: Sendable, Equatable {
        public var path = "/run/trainq/trainq.sock"
        public var mode: UInt16 = 0o660
        /// Group that owns the socket file; nil leaves the daemon's own group.
        public var group: String? = "trainq"
        /// Largest request body accepted; larger bodies get 413.
        public var maxBodyBytes = 1 << 20
        /// Keep-alive connections idle this long are closed.
        public var idleTimeout: Duration = .seconds(60)
    }

    public struct Access: Sendable, Equatable {
        public var adminUsers: [String] = []
        public var adminGroups: [String] = []
        public var allowedUsers: [String] = []
        public var allowedGroups: [String] = ["trainq"]
    }

    public enum AuthMethod: String, Sendable, Equatable, CaseIterable {
        case aksk
        case token
    }

    public struct ModelArts: Sendable, Equatable {
        public var endpoint: String?
        public var projectID: String?
        public var auth: AuthMethod = .aksk
        public var accessKeyFile: String?
        public var secretKeyFile: String?
        public var iamEndpoint: String?
        public var iamDomain: String?
        public var iamUser: String?
        public var iamPasswordFile: String?
        public var iamProject: String?
        public var caFile: String?
        public var proxy: String?
        public var connectTimeout = ModelArtsClientConfiguration.Defaults.connectTimeout
        public var requestTimeout = ModelArtsClientConfiguration.Defaults.requestTimeout
    }

    /// `database.url` and what goes with it: set, the daemon shares a PostgreSQL database with other
    /// daemons instead of its own SQLite file (`databasePath`).
    public struct SharedDatabase: Sendable, Equatable {
        public var url: String?
        /// The password's file; without it, `$CREDENTIALS_DIRECTORY/trainq-database-password` (a systemd
        /// credential) when that exists. Never the password itself: a configuration file is not a secret.
        public var passwordFile: String?
        /// `database.lease`: how long a job's lease lasts without a heartbeat. Longer than a create can take.
        public var lease: Duration = .seconds(60)
        /// `database.timeout`: the longest one call waits for the database before answering 503.
        public var timeout: Duration = .seconds(10)

        /// The systemd credential name read when `password_file` is not set.
        public static let credentialName = "trainq-database-password"
    }

    public var socket = Socket()
    public var databasePath = "/var/lib/trainq/trainq.db"
    public var database = SharedDatabase()
    /// `instance.name`: this daemon among those sharing a database; the host's name by default.
    public var instanceName = ProcessInfo.processInfo.hostName
    public var access = Access()
    public var modelArts = ModelArts()
    /// `submit.*`, and `modelarts.rate_limit`, `.burst`, `.concurrency`.
    public var engine = EngineConfiguration()
    /// `track.*`.
    public var track = VersionTracker.Configuration()
    public var logLevel = "info"
    /// `--simulate`: run the executable's embedded ModelArts (trainqd's in-process simulator on 127.0.0.1)
    /// and point the client at it.
    public var simulate = false
    /// Time scale of the embedded simulator (60 = a version completes in about two seconds).
    public var simulateTimeScale: Double = 60

    public init() {}
}
