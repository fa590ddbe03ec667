/// One fault the simulator injects, as `POST /_sim/faults` and `--scenario` describe it.
public struct FaultRule: Sendable, Hashable {
    /// Which calls the rule applies to.
    public enum Target: String, Sendable, Hashable, CaseIterable {
        case create, show, list, stop, delete, token, any
        /// List training jobs; `list` means list versions.
        case listJobs = "list_jobs"
        /// The v2 training-job calls: create, show, search, actions (terminate), delete.
        case jobCreate = "job_create"
        case jobShow = "job_show"
        case jobSearch = "job_search"
        case jobAction = "job_action"
        case jobDelete = "job_delete"
    }

    /// What happens to a matching call.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Answer with `status` / `error_code` instead of doing the work.
        case error
        /// Do the work (a create creates the version or job), then lose the answer: drop the connection, or, when
        /// `status` is given (504 is the realistic one), answer with that gateway error instead.
        case lostResponse = "lost_response"
        /// Close the connection with a TCP reset before doing anything: nothing was created.
        case reset
        /// Wait `delay_ms`, then do the work and answer normally (a slow backend: a client that times out
        /// meanwhile still gets its version created).
        case delay
        /// Answer with `status` (default 200) and exactly `body`, without doing the work: for checking how
        /// clients read the odd answers the documentation shows (numbers in strings, invalid JSON).
        case respond
    }

    public var target: Target
    public var kind: Kind
    /// HTTP status for `error` (default 503) or for `lost_response` (default: no answer at all).
    public var status: Int?
    /// Error code; defaults to the code the real service uses with `status`.
    public var errorCode: String?
    /// Message; defaults to the real service's text for the code.
    public var message: String?
    /// The raw answer body for `respond`.
    public var body: String?
    /// Seconds, sent as a `Retry-After` header with an `error`.
    public var retryAfter: Int?
    /// Milliseconds to wait for `delay`.
    public var delayMilliseconds: Int?
    /// How many times the rule fires before it is spent; nil fires forever.
    public var count: Int?
    /// Chance that a matching call is hit, 0...1.
    public var probability: Double

    public init(
        target: Target,
        kind: Kind,
        status: Int? = nil,
        errorCode: String? = nil,
        message: String? = nil,
        body: String? = nil,
        retryAfter: Int? = nil,
        delayMilliseconds: Int? = nil,
        count: Int? = nil,
        probability: Double = 1
    ) {
        self.target = target
        self.kind = kind
        self.status = status
        self.errorCode = errorCode
        self.message = message
        self.body = body
        self.retryAfter = retryAfter
        self.delayMilliseconds = delayMilliseconds
        self.count = count
        self.probability = probability
    }

    /// `any` covers every ModelArts route but not the IAM token route, which is a different service
    /// (a different host in the real cloud); target `token` explicitly to fault it.
    func applies(to route: APIRoute) -> Bool {
        switch target {
        case .any: route != .token
        default: target == route.faultTarget
        }
    }
}
