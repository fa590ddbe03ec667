import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Why a call to trainqd failed before an answer came, told apart by the error's type (NIO's `IOError`
/// errno, `NIOConnectionError`, `ChannelError`, `HTTPClientError`), never by the words of its message.
public enum ConnectionFailure: Equatable, Sendable {
    /// No socket file, or nobody listening on it: trainqd is not running there.
    case notRunning
    /// The socket exists but this user may not connect to it.
    case notAllowed
    /// The connection closed before the whole answer came (the daemon stopped or was killed mid-call).
    case dropped
    /// Connected, but no answer came in time.
    case timedOut
    /// Anything else on the way.
    case other

    public init(_ error: any Error) {
        switch error {
        case let error as IOError:
            self.init(errno: error.errnoCode)
        case let error as NIOConnectionError:
            // One failure per address tried; the first that says something decides.
            self = error.connectionErrors.lazy.map { ConnectionFailure($0.error) }.first { $0 != .other } ?? .notRunning
        case let error as ChannelError:
            switch error {
            case .connectTimeout: self = .notRunning
            case .ioOnClosedChannel, .eof, .alreadyClosed, .outputClosed, .inputClosed: self = .dropped
            default: self = .other
            }
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout: self = .notRunning
            case .remoteConnectionClosed, .bodyLengthMismatch: self = .dropped
            case .deadlineExceeded, .readTimeout, .writeTimeout: self = .timedOut
            default: self = .other
            }
        case is HTTPParserError:
            // The answer stopped in the middle (invalid EOF state): the peer went away.
            self = .dropped
        default:
            self = .other
        }
    }

    public init(errno: CInt) {
        switch errno {
        case ENOENT, ECONNREFUSED: self = .notRunning
        case ECONNRESET, EPIPE: self = .dropped
        case EACCES, EPERM: self = .notAllowed
        default: self = .other
        }
    }
}
