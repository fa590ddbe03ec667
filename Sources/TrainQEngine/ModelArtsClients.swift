import Logging
import ModelArts
import NIOConcurrencyHelpers

/// One ModelArts client per project, made on first use, all passing one shared `OutgoingCallLimiter`
/// so that the rate limit and concurrency cap hold for every outgoing call together. (A submission may
/// name its own `project_id`; the client signs `X-Project-Id` for one project.)
public final class ModelArtsClients: Sendable {
    public let limiter: OutgoingCallLimiter
    private let base: ModelArtsClientConfiguration
    private let logger: Logger
    private let observer: (@Sendable (ModelArtsClient.CallRecord) -> Void)?
    private let clients = NIOLockedValueBox<[String: ModelArtsClient]>([:])

    /// - Parameter limiter: the limiter every call passes; give the IAM token provider the same one.
    public init(
        configuration: ModelArtsClientConfiguration, limiter: OutgoingCallLimiter, logger: Logger,
        observer: (@Sendable (ModelArtsClient.CallRecord) -> Void)? = nil
    ) throws(ModelArtsError) {
        self.base = configuration
        self.logger = logger
        self.observer = observer
        self.limiter = limiter
        let first = try ModelArtsClient(configuration: configuration, limiter: limiter, logger: logger, observer: observer)
        clients.withLockedValue { $0[configuration.projectID] = first }
    }

    /// The client for `projectID`.
    public func client(forProject projectID: String) throws(ModelArtsError) -> ModelArtsClient {
        if let existing = clients.withLockedValue({ $0[projectID] }) { return existing }
        var configuration = base
        configuration.projectID = projectID
        let made = try ModelArtsClient(configuration: configuration, limiter: limiter, logger: logger, observer: observer)
        return clients.withLockedValue { clients in
            if let raced = clients[projectID] { return raced }
            clients[projectID] = made
            return made
        }
    }

    public func shutdown() async {
        let all = clients.withLockedValue { Array($0.values) }
        for client in all { try? await client.shutdown() }
    }
}
