#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Ends a connection without an HTTP answer, the way a broken network or a crashing gateway would.
enum ConnectionFault {
    /// Thrown by a handler after it dropped the connection, so nothing tries to answer.
    struct Dropped: Error {}

    /// Closes with a TCP reset (SO_LINGER 0): the client sees "connection reset by peer".
    static func reset(_ channel: any Channel) async {
        if let provider = channel as? any SocketOptionProvider {
            try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close()
    }

    /// Closes the connection normally (FIN) with the answer unsent: the client sees the connection
    /// closed before any response.
    static func drop(_ channel: any Channel) async {
        try? await channel.close()
    }
}
