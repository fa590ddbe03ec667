import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
import TrainQConnection

#if canImport(Glibc)
import Glibc
#endif

@testable import trainq

/// How the CLI tells connection failures apart: by the error's type (and errno), with the error values
/// NIO and AsyncHTTPClient really produce.
@Suite struct ConnectionFailureTests {
    // MARK: - By type, with constructed values

    @Test func errnoValuesSayWhatHappened() {
        let cases: [(code: CInt, expected: ConnectionFailure)] = [
            (ENOENT, .notRunning), (ECONNREFUSED, .notRunning),
            (ECONNRESET, .dropped), (EPIPE, .dropped),
            (EACCES, .notAllowed), (EPERM, .notAllowed),
            (EMFILE, .other), (EINVAL, .other),
        ]
        for (code, expected) in cases {
            #expect(ConnectionFailure(errno: code) == expected, "errno \(code)")
            // The same through NIO's `IOError`, as a failed connect or write throws it.
            #expect(ConnectionFailure(IOError(errnoCode: code, reason: "connect")) == expected, "IOError with errno \(code)")
        }
    }

    @Test func channelErrors() {
        #expect(ConnectionFailure(ChannelError.connectTimeout(.seconds(5))) == .notRunning)
        let dropped: [ChannelError] = [.ioOnClosedChannel, .eof, .alreadyClosed, .outputClosed, .inputClosed]
        for error in dropped {
            #expect(ConnectionFailure(error) == .dropped, "\(error)")
        }
        let others: [ChannelError] = [.operationUnsupported, .connectPending, .inappropriateOperationForState]
        for error in others {
            #expect(ConnectionFailure(error) == .other, "\(error)")
        }
    }

    @Test func httpClientErrors() {
        #expect(ConnectionFailure(HTTPClientError.connectTimeout) == .notRunning)
        for error in [HTTPClientError.remoteConnectionClosed, .bodyLengthMismatch] {
            #expect(ConnectionFailure(error) == .dropped, "\(error)")
        }
        for error in [HTTPClientError.deadlineExceeded, .readTimeout, .writeTimeout] {
            #expect(ConnectionFailure(error) == .timedOut, "\(error)")
        }
        for error in [HTTPClientError.cancelled, .alreadyShutdown, .invalidURL] {
            #expect(ConnectionFailure(error) == .other, "\(error)")
        }
    }

    @Test func anAnswerCutShortIsADroppedConnection() {
        #expect(ConnectionFailure(HTTPParserError.invalidEOFState) == .dropped)
    }

    @Test func errorsOfOtherTypesAreOther() {
        struct Unrelated: Error {}
        #expect(ConnectionFailure(Unrelated()) == .other)
        #expect(ConnectionFailure(CancellationError()) == .other)
        // A message that reads like a refused connection does not count: only the type does.
        #expect(ConnectionFailure(CLIError(.failure, "connection refused (errno 111)")) == .other)
    }

    // MARK: - Real failures

    /// `NIOConnectionError` cannot be built outside NIO (its initialiser is fileprivate): this one comes
    /// from a TCP connect to a loopback port nobody listens on, which is what Happy Eyeballs reports.
    @Test func aRefusedTCPConnectIsANIOConnectionErrorSayingNotRunning() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        // A port that was free a moment ago and is closed again.
        let listener = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(listener.localAddress?.port)
        try await listener.close()

        var caught: (any Error)?
        do {
            let channel = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get()
            try? await channel.close()
        } catch {
            caught = error
        }
        let error = try #require(caught, "port \(port) accepted a connection; it was taken meanwhile")
        #expect(error is NIOConnectionError, "\(type(of: error)): \(error)")
        #expect(ConnectionFailure(error) == .notRunning, "\(error)")
    }

    @Test func noSocketFileMeansNotRunning() async throws {
        try await withTemporaryDirectory { directory in
            let error = try await Self.errorOfARequest(toSocket: directory.appendingPathComponent("trainqd.sock").path)
            #expect(ConnectionFailure(error) == .notRunning, "\(type(of: error)): \(error)")
        }
    }

    @Test func aSocketNobodyListensOnMeansNotRunning() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("trainqd.sock").path
            // What a killed daemon leaves behind: the socket file, with no listener (NIO would unlink it on
            // close, so the socket is bound and closed by hand, as a process that dies does).
            let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            try #require(descriptor >= 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { bytes in
                for (index, byte) in path.utf8.prefix(bytes.count - 1).enumerated() { bytes[index] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            close(descriptor)
            try #require(bound == 0)
            try #require(FileManager.default.fileExists(atPath: path), "the socket file is gone")

            let error = try await Self.errorOfARequest(toSocket: path)
            #expect(ConnectionFailure(error) == .notRunning, "\(type(of: error)): \(error)")
        }
    }

    @Test func theDaemonClientTurnsANotRunningDaemonIntoAReconnectableError() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("trainqd.sock").path
            let client = DaemonClient(socketPath: path)
            var caught: (any Error)?
            do {
                _ = try await client.send(.GET, "/v1/health", timeout: .seconds(10))
            } catch {
                caught = error
            }
            await client.shutdown()
            let error = try #require(caught as? CLIError, "not a CLIError: \(String(describing: caught))")
            #expect(error.exitCode == .daemonUnavailable)
            #expect(error.isReconnectable)
            #expect(error.message.contains("is it running?"))
        }
    }

    // MARK: - Helpers

    /// Sends one request to the Unix socket at `path` with the client settings of `DaemonClient`, and
    /// returns the error it failed with.
    static func errorOfARequest(toSocket path: String) async throws -> any Error {
        let url = try #require(URL(httpURLWithSocketPath: path, uri: "/v1/health"))
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        var caught: (any Error)?
        do {
            _ = try await http.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(10))
        } catch {
            caught = error
        }
        try await http.shutdown()
        return try #require(caught, "a request to \(path) succeeded")
    }

    /// Runs `body` with a fresh directory, removed afterwards. Kept short: Unix socket paths are limited
    /// to about a hundred bytes.
    func withTemporaryDirectory(_ body: (URL) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("trainq-cli-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory)
    }
}
