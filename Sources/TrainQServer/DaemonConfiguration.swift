import Foundation

/// Everything `trainqd` is configured with, after defaults, the YAML file, `TRAINQ_*` variables and flags
/// have been merged and every value checked (DESIGN §6). Secrets are not here: only the paths of the
/// files that hold them.
public struct DaemonConfiguration: Sendable, Equatable {
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
        public var connectTimeout: Duration = .seconds(5)
        public var requestTimeout: Duration = .seconds(30)
        public var rateLimit: Double = 10
        public var burst = 20
        public var concurrency = 4
    }

    public struct Submit: Sendable, Equatable {
        public var maxAttempts = 10
        public var maxAge: Duration = .seconds(24 * 3600)
        public var baseDelay: Duration = .seconds(1)
        public var maxDelay: Duration = .seconds(300)
        public var slowBaseDelay: Duration = .seconds(300)
        public var slowMaxDelay: Duration = .seconds(3600)
        public var descMarker = true
        /// How long attempts in flight may finish after SIGTERM before they are left to reconciliation.
        public var drainTimeout: Duration = .seconds(10)
        /// Waits between the listings that must all come back empty before reconciliation takes an
        /// attempt with an unknown outcome as "not created" (a create can commit late).
        public var reconcileWaits: [Duration] = [.seconds(2), .seconds(5), .seconds(15), .seconds(30)]
    }

    public struct Track: Sendable, Equatable {
        public var minInterval: Duration = .seconds(10)
        public var maxInterval: Duration = .seconds(120)
    }

    public var socket = Socket()
    public var databasePath = "/var/lib/trainq/trainq.db"
    public var access = Access()
    public var modelArts = ModelArts()
    public var submit = Submit()
    public var track = Track()
    public var logLevel = "info"
    /// `--simulate`: run an in-process simulator on 127.0.0.1 and point the client at it.
    public var simulate = false
    /// Time scale of the embedded simulator (60 = a version completes in about two seconds).
    public var simulateTimeScale: Double = 60

    public init() {}
}
