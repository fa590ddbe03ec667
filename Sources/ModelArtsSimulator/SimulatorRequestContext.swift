import Hummingbird
import NIOCore

/// The per-request context: keeps the connection's channel so a fault can drop or reset it, and the
/// request id every answer carries.
struct SimulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel
    /// 32 lowercase hex characters, as the gateway's `X-Request-Id`.
    var requestID: String

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
        self.requestID = RequestIdentifier.make()
    }

    /// Matches the gateway's 12 MB body limit (reference §4.6).
    var maxUploadSize: Int { 12 * 1024 * 1024 }
}
