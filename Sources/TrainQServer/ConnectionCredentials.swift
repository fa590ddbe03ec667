import NIOCore
import Synchronization

/// The peer credentials of each open Unix socket connection, read once when it opens.
///
/// The kernel fixes a Unix socket peer's credentials at `connect()`, so one `SO_PEERCRED` per connection
/// is enough. Reading it per request meant a hop onto the connection's event loop and back for every
/// request; `PeerCredentials.of` now finds it here and falls back to asking the socket.
enum ConnectionCredentials {
    private static let byConnection = Mutex<[ObjectIdentifier: PeerCredentials]>([:])

    static func credentials(of channel: any Channel) -> PeerCredentials? {
        byConnection.withLock { $0[ObjectIdentifier(channel)] }
    }

    fileprivate static func remember(_ credentials: PeerCredentials, of channel: any Channel) {
        byConnection.withLock { $0[ObjectIdentifier(channel)] = credentials }
    }

    fileprivate static func forget(_ channel: any Channel) {
        _ = byConnection.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    static var connectionsKnown: Int {
        byConnection.withLock { $0.count }
    }
}

/// Reads `SO_PEERCRED` on the connection's event loop as it opens (no hop: the option is read at once
/// there) and forgets it when the connection closes, before the channel object can be reused.
final class ConnectionCredentialsHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { record(context.channel) }
    }

    func channelActive(context: ChannelHandlerContext) {
        record(context.channel)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        ConnectionCredentials.forget(context.channel)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        ConnectionCredentials.forget(context.channel)
    }

    private func record(_ channel: any Channel) {
        guard case .unixDomainSocket = channel.localAddress, let provider = channel as? any SocketOptionProvider else { return }
        PeerCredentials.read(from: provider).whenSuccess { credentials in
            ConnectionCredentials.remember(credentials, of: channel)
        }
    }
}
