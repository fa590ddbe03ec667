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

    public var socket = Socket()
    public var databasePath = "/var/lib/trainq/trainq.db"
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
