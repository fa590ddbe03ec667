import AsyncHTTPClient
import Foundation
import Logging

/// Issues and caches a project-scoped IAM token (reference §5.1): password auth at `POST /v3/auth/tokens`,
/// refreshed when less than `refreshAhead` of its validity is left and again when the service refuses it.
/// Concurrent callers share one refresh: the in-flight request lives in the state, and everyone awaits it.
///
/// Neither the password nor a token ever reaches a log line, an error or a description.
public actor IAMTokenProvider {
    public struct Configuration: Sendable, CustomStringConvertible {
        /// e.g. `https://iam.cn-north-4.myhuaweicloud.com`.
        public var endpoint: URL
        public var credentials: IAMPasswordCredentials
        /// Refresh when less than this much validity is left (tokens live 24 h).
        public var refreshAhead: Duration
        /// After a failed early refresh, keep using the old token this long before trying again.
        public var retryRefreshAfter: Duration
        public var connectTimeout: Duration
        public var requestTimeout: Duration
        public var caFile: String?
        public var proxy: ModelArtsClientConfiguration.Proxy?

        public init(
            endpoint: URL,
            credentials: IAMPasswordCredentials,
            refreshAhead: Duration = .seconds(3600),
            retryRefreshAfter: Duration = .seconds(30),
            connectTimeout: Duration = ModelArtsClientConfiguration.Defaults.connectTimeout,
            requestTimeout: Duration = ModelArtsClientConfiguration.Defaults.requestTimeout,
            caFile: String? = nil,
            proxy: ModelArtsClientConfiguration.Proxy? = nil
        ) {
            self.endpoint = endpoint
            self.credentials = credentials
            self.refreshAhead = refreshAhead
            self.retryRefreshAfter = retryRefreshAfter
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.caFile = caFile
            self.proxy = proxy
        }

        public var description: String {
            "IAMTokenProvider.Configuration(endpoint: \(endpoint), credentials: \(credentials))"
        }
    }

    private typealias Refresh = Task<Result<IAMToken, ModelArtsError>, Never>

    public nonisolated let configuration: Configuration
    private var machine: StateMachine<Refresh>
    private let issuer: TokenIssuer
    private let logger: Logger
    private let now: @Sendable () -> Date
    /// How many token requests were started (for metrics and tests).
    public private(set) var tokenRequestCount = 0

    /// - Parameter limiter: the shared limiter of outgoing calls, so token requests count too.
    public init(
        configuration: Configuration,
        limiter: OutgoingCallLimiter? = nil,
        logger: Logger = Logger(label: "trainq.iam"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.machine = StateMachine(
            refreshAhead: Self.seconds(configuration.refreshAhead),
            retryRefreshAfter: Self.seconds(configuration.retryRefreshAfter))
        self.issuer = TokenIssuer(configuration: configuration, limiter: limiter, logger: logger)
        self.logger = logger
        self.now = now
    }

    /// A token that is valid now, fetching or refreshing it when needed.
    public func token() async throws(ModelArtsError) -> IAMToken {
        try await perform(machine.tokenRequested(now: now()))
    }

    /// A token other than `rejected`, which the service just refused: the current one if someone already
    /// replaced it, the one being fetched, or a new one.
    public func token(replacing rejected: IAMToken) async throws(ModelArtsError) -> IAMToken {
        try await perform(machine.tokenRejected(rejected))
    }

    /// Forgets the token and closes the connections; later calls fail. Safe to call more than once.
    public func shutdown() async {
        if case .shutDown = machine.state { return }
        machine.shutDown()?.cancel()
        try? await issuer.httpClient.shutdown()
    }

    // MARK: - Carrying out the state machine's decisions

    private func perform(_ action: StateMachine<Refresh>.Action) async throws(ModelArtsError) -> IAMToken {
        switch action {
        case .use(let token):
            return token
        case .startRefresh(let previous, let fallback):
            tokenRequestCount += 1
            let issuer = self.issuer
            let refresh = Refresh { await issuer.issue() }
            machine.refreshStarted(refresh, previous: previous)
            return try await completion(of: refresh, fallback: fallback)
        case .join(let refresh, let fallback):
            return try await completion(of: refresh, fallback: fallback)
        case .refuse:
            throw .configuration(operation: .issueToken, message: "token provider is shut down")
        }
    }

    private func completion(of refresh: Refresh, fallback: IAMToken?) async throws(ModelArtsError) -> IAMToken {
        let result = await refresh.value
        let token = try? result.get()
        switch machine.refreshFinished(refresh, succeeded: token, fallback: fallback, now: now()) {
        case .use(let token):
            return token
        case .useFallback(let token):
            if case .failure(let error) = result {
                logger.warning("IAM token refresh failed; the current token is still valid", metadata: ["error": "\(error)"])
            }
            return token
        case .fail:
            switch result {
            case .failure(let error): throw error
            case .success(let token): return token
            }
        }
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
