import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 child channel with the `IntakeHandler` placed after its connection-state
/// handler, just before the router's async channel. Hummingbird's configuration can only add handlers
/// before the state handler, where its idle timeout and graceful close would not see submissions.
struct IntakeChannel: ServerChildChannel {
    let base: HTTP1Channel
    let makeHandler: @Sendable () -> IntakeHandler

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let state = try pipeline.handler(type: HTTPConnectionStateHandler.self)
            try pipeline.addHandler(makeHandler(), position: .after(state))
            return value
        }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
