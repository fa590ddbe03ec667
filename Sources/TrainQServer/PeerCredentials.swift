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
    /// Reads the credentials of `channel`'s peer. Returns nil unless the channel really is a Unix
    /// domain socket: over TCP the same call "succeeds" with uid 4294967295, which must never be trusted.
    static func of(_ channel: any Channel) async -> PeerCredentials? {
        guard case .unixDomainSocket = channel.localAddress else { return nil }
        guard let provider = channel as? any SocketOptionProvider else { return nil }
        do {
            let credentials: trainq_ucred = try await provider.unsafeGetSocketOption(
                level: SocketOptionLevel(SOL_SOCKET),
                name: SocketOptionName(SO_PEERCRED)
            ).get()
            return PeerCredentials(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid)
        } catch {
            return nil
        }
    }
}
