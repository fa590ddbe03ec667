import Hummingbird
import NIOCore

/// The per-request context: keeps the connection's channel so a fault can drop or reset it, and the
/// request id every answer carries.
struct SimulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel
    /// 32 lowercase hex characters, as the gateway's `X-Request-Id`.
    var requestId: String

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
        self.requestId = RequestIdentifier.make()
    }

    /// Matches the gateway's 12 MB body limit (reference §4.6).
    var maxUploadSize: Int { 12 * 1024 * 1024 }
}

enum RequestIdentifier {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex(high) + hex(low)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
