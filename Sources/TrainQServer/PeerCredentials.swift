import CLinuxShims
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Who is on the other end of a Unix socket connection, as the kernel says (`SO_PEERCRED`, and
/// `SO_PEERGROUPS` for the supplementary groups).
public struct PeerCredentials: Sendable, Hashable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
    /// The supplementary groups the peer process had when it connected; nil when the kernel could not
    /// say (more than 256, or a kernel before 4.13), and the user database is asked instead.
    public var groups: [UInt32]?

    public init(pid: Int32, uid: UInt32, gid: UInt32, groups: [UInt32]? = nil) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.groups = groups
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

    /// `SO_PEERCRED` and `SO_PEERGROUPS` of the socket; completes at once when called on the channel's
    /// event loop.
    static func read(from provider: any SocketOptionProvider) -> EventLoopFuture<PeerCredentials> {
        provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
            .flatMap { (credentials: trainq_ucred) in
                readGroups(from: provider).map { groups in
                    PeerCredentials(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid, groups: groups)
                }
            }
    }

    /// The peer's supplementary groups from the kernel, or nil when it cannot tell.
    ///
    /// NIO's option call hands back the value but not its length, so the list is read in two steps: a
    /// zero-length read succeeds only when there are no groups (else ERANGE), and a full read gives the
    /// groups followed by the zeros NIO filled the buffer with. The kernel keeps the list sorted, so the
    /// groups are the ascending run at its start.
    static func readGroups(from provider: any SocketOptionProvider) -> EventLoopFuture<[UInt32]?> {
        let option = SocketOptionName(trainq_so_peergroups)
        let level = SocketOptionLevel(SOL_SOCKET)
        let loop = provider.eventLoop
        return provider.unsafeGetSocketOption(level: level, name: option).map { (_: NoBytes) -> [UInt32]? in [] }
            .flatMapError { _ in
                provider.unsafeGetSocketOption(level: level, name: option)
                    .map { (read: trainq_peer_groups) -> [UInt32]? in groups(in: read) }
                    .flatMapError { _ in loop.makeSucceededFuture(nil) }
            }
    }

    /// The ascending run at the start of what `SO_PEERGROUPS` wrote (the rest is NIO's zero fill).
    static func groups(in read: trainq_peer_groups) -> [UInt32] {
        withUnsafeBytes(of: read.gids) { bytes in
            let all = bytes.bindMemory(to: gid_t.self)
            var groups: [UInt32] = []
            for gid in all {
                if let last = groups.last, gid < last { break }
                if groups.last != gid { groups.append(gid) }
            }
            return groups
        }
    }

    /// A value of no bytes: asks for the option with a zero-length buffer.
    struct NoBytes {}
}
