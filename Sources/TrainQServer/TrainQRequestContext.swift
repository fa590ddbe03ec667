import Hummingbird
import Logging
import NIOCore

/// The request context of the socket API. It keeps the connection's channel so the caller's peer
/// credentials can be read (HummingbirdTesting's router tests have none), and the caller once known.
public struct TrainQRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: (any Channel)?
    /// Set by `CallerMiddleware` before any route runs.
    public var caller: Caller?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
