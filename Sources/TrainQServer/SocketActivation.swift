import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// systemd socket activation (`sd_listen_fds(3)`), small and our own: when `LISTEN_PID` names this
/// process and `LISTEN_FDS` is 1, the API socket is already bound and listening on fd 3. trainqd adopts it
/// instead of binding, and never unlinks or re-moulds it: the socket unit owns the file, its mode and group.
public enum SocketActivation {
    /// The first inherited descriptor, as the protocol fixes it.
    public static let firstDescriptor: Int32 = 3

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The adopted listening socket: its descriptor and the path it is bound to (for logs).
    public struct ListeningSocket: Sendable, Equatable {
        public var descriptor: Int32
        public var path: String
    }

    /// The socket passed by systemd, nil when the process was not socket-activated (no `LISTEN_FDS`, or
    /// they were meant for another process). Refuses what trainqd cannot serve safely: several sockets,
    /// or one that is not a listening Unix stream socket (peer credentials need `AF_UNIX`).
    public static func inheritedSocket(
        environment: [String: String] = ProcessInfo.processInfo.environment, processID: Int32 = getpid()
    ) throws(Failure) -> ListeningSocket? {
        guard let count = try descriptorCount(environment: environment, processID: processID) else { return nil }
        guard count == 1 else {
            throw Failure(description: "socket activation passed \(count) sockets; trainqd serves exactly one (ListenStream= once in trainqd.socket)")
        }
        let descriptor = firstDescriptor
        let path = try checkListeningUnixStream(descriptor)
        // Not for children: the descriptor stays ours alone.
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        return ListeningSocket(descriptor: descriptor, path: path)
    }

    /// `LISTEN_FDS` when `LISTEN_PID` is this process; nil when activation does not apply.
    static func descriptorCount(environment: [String: String], processID: Int32) throws(Failure) -> Int? {
        guard let fdsText = environment["LISTEN_FDS"] else { return nil }
        guard let pidText = environment["LISTEN_PID"] else {
            throw Failure(description: "LISTEN_FDS is set without LISTEN_PID")
        }
        guard let pid = Int32(pidText), pid > 0 else {
            throw Failure(description: "LISTEN_PID '\(pidText)' is not a process id")
        }
        // Inherited from a parent that was activated: not ours.
        guard pid == processID else { return nil }
        guard let count = Int(fdsText), count >= 0 else {
            throw Failure(description: "LISTEN_FDS '\(fdsText)' is not a count")
        }
        return count == 0 ? nil : count
    }

    /// Checks that `descriptor` is a listening `AF_UNIX` stream socket and returns the path it is bound to.
    static func checkListeningUnixStream(_ descriptor: Int32) throws(Failure) -> String {
        func option(_ name: Int32) -> Int32? {
            var value: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            return getsockopt(descriptor, SOL_SOCKET, name, &value, &length) == 0 ? value : nil
        }
        guard let type = option(SO_TYPE) else {
            throw Failure(description: "fd \(descriptor) from socket activation is not a socket: \(String(cString: strerror(errno)))")
        }
        guard type == Int32(SOCK_STREAM.rawValue) else {
            throw Failure(description: "fd \(descriptor) from socket activation is not a stream socket (ListenStream=)")
        }
        guard option(SO_ACCEPTCONN) == 1 else {
            throw Failure(description: "fd \(descriptor) from socket activation is not listening")
        }
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let named = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0, address.sun_family == sa_family_t(AF_UNIX) else {
            throw Failure(description: "fd \(descriptor) from socket activation is not a Unix domain socket; trainqd identifies callers by peer credentials, which need one")
        }
        return withUnsafeBytes(of: address.sun_path) { bytes in
            let used = bytes.prefix(Int(length) - MemoryLayout<sa_family_t>.size)
            if used.first == 0 { return "@" + String(decoding: used.dropFirst(), as: UTF8.self) }
            return String(decoding: used.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
