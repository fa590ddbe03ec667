import CLinuxShims
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Who is on the other end of a Unix socket connection, as the kernel says (`SO_PEERCRED`).
public struct PeerCredentials: Sendable, Hashable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }
}

extension PeerCredentials {
    /// The credentials of `channel`'s peer. Nil unless the channel really is a Unix domain socket:
    /// over TCP the same call "succeeds" with uid 4294967295, which must never be trusted.
    static func of(_ channel: any Channel) async -> PeerCredentials? {
        guard case .unixDomainSocket = channel.localAddress else { return nil }
        if let known = ConnectionCredentials.credentials(of: channel) { return known }
        guard let provider = channel as? any SocketOptionProvider else { return nil }
        return try? await read(from: provider).get()
    }

    /// `SO_PEERCRED` of the socket; completes at once when called on the channel's event loop.
    static func read(from provider: any SocketOptionProvider) -> EventLoopFuture<PeerCredentials> {
        provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
            .map { (credentials: trainq_ucred) in
                PeerCredentials(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid)
            }
    }
}
