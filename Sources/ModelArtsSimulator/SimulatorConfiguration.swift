/// Everything that shapes one simulated ModelArts endpoint.
///
/// The defaults give an open (no auth), unthrottled service that knows job 10 with version 20, so the
/// seed's sample request works as is.
public struct SimulatorConfiguration: Sendable {
    /// Address to listen on. Only loopback makes sense: the control API has no authentication.
    public var host: String
    /// TCP port; 0 asks the system for a free one (read it back from `ModelArtsSimulator.boundPort()`).
    public var port: Int
    /// Accepted AK/SK pairs, keyed by access key. Empty together with no IAM user means "no auth required".
    public var accessKeys: [String: String]
    /// The one IAM user that may obtain tokens at `POST /v3/auth/tokens`.
    public var iamUser: IAMUser?
    /// How long an issued token stays valid. The real IAM issues 24-hour tokens; tests shorten it.
    public var tokenLifetime: Duration
    /// How many times faster than real time versions move through their statuses (1: about two minutes
    /// from create to COMPLETED, 60: about two seconds).
    public var timeScale: Double
    /// When true, only jobs named in the scenario (or the default job 10) exist; otherwise a create that
    /// names an unknown job creates that job with the referenced previous version on first use.
    public var strict: Bool
    /// Requests per second allowed per caller (AK, token user, or anonymous); nil means unlimited.
    public var rateLimit: Int?
    /// Faults, jobs and outcomes to start with.
    public var scenario: Scenario
    /// Maximum age difference between `X-Sdk-Date` and the server clock (the gateway allows 15 minutes).
    public var signatureClockSkew: Duration
    /// Serve HTTPS instead of plain HTTP.
    public var tls: SimulatorTLS?
    /// How far the service's clock is ahead of the host's (negative: behind). It moves every timestamp
    /// the service gives, its `Date` header and its signature window, as a drifting cloud clock would.
    public var clockOffset: Duration

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        accessKeys: [String: String] = [:],
        iamUser: IAMUser? = nil,
        tokenLifetime: Duration = .seconds(24 * 3600),
        timeScale: Double = 1,
        strict: Bool = false,
        rateLimit: Int? = nil,
        scenario: Scenario = .init(),
        signatureClockSkew: Duration = .seconds(15 * 60),
        tls: SimulatorTLS? = nil,
        clockOffset: Duration = .zero
    ) {
        self.host = host
        self.port = port
        self.accessKeys = accessKeys
        self.iamUser = iamUser
        self.tokenLifetime = tokenLifetime
        self.timeScale = timeScale
        self.strict = strict
        self.rateLimit = rateLimit
        self.scenario = scenario
        self.signatureClockSkew = signatureClockSkew
        self.tls = tls
        self.clockOffset = clockOffset
    }

    var clockOffsetMilliseconds: Int64 {
        clockOffset.components.seconds * 1000 + clockOffset.components.attoseconds / 1_000_000_000_000_000
    }

    /// Auth is enforced as soon as any credential is configured, like a real gateway would always do.
    public var requiresAuthentication: Bool {
        !accessKeys.isEmpty || iamUser != nil
    }
}

/// An IAM user allowed to obtain tokens with password authentication.
public struct IAMUser: Sendable, Hashable {
    public var domain: String
    public var name: String
    public var password: String

    public init(domain: String, name: String, password: String) {
        self.domain = domain
        self.name = name
        self.password = password
    }
}

extension IAMUser: CustomStringConvertible {
    /// Never prints the password.
    public var description: String { "IAMUser(\(domain)/\(name))" }
}

extension SimulatorConfiguration: CustomStringConvertible {
    /// Names the access keys and the IAM user, never a secret key or password.
    public var description: String {
        let keys = accessKeys.keys.sorted().joined(separator: ",")
        return "SimulatorConfiguration(\(host):\(port), accessKeys: [\(keys)], iamUser: \(iamUser.map(\.description) ?? "none"), "
            + "timeScale: \(timeScale), strict: \(strict), rateLimit: \(rateLimit.map(String.init) ?? "none"), tls: \(tls != nil))"
    }
}
