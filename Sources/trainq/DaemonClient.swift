import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import TrainQAPI
import TrainQConnection

/// Talks to `trainqd` over its Unix socket. Every failure becomes a `CLIError` with a message a person
/// can act on and the exit code scripts rely on.
struct DaemonClient {
    let socketPath: String
    private let http: HTTPClient

    init(socketPath: String) {
        self.socketPath = socketPath
        var configuration = HTTPClient.Configuration()
        // Fail at once when the daemon is not running instead of retrying for the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    func shutdown() async {
        try? await http.shutdown()
    }

    struct Reply {
        var status: HTTPResponseStatus
        var body: Data
    }

    func send(
        _ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)] = [],
        timeout: TimeAmount = .seconds(30)
    ) async throws -> Reply {
        let request = try request(method, path, body: body, headers: headers)
        do {
            let response = try await http.execute(request, timeout: timeout)
            let buffer = try await response.body.collect(upTo: 64 << 20)
            return Reply(status: response.status, body: Data(buffer: buffer))
        } catch {
            throw connectionError(error)
        }
    }

    /// Sends a request whose answer is a stream of newline-delimited JSON and hands over each line;
    /// `connected` runs once the daemon has answered `200`. Returns when the daemon ends the stream.
    func stream(_ path: String, connected: () -> Void = {}, line handle: (Data) throws -> Bool) async throws {
        let request = try request(.GET, path)
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .hours(24 * 365))
        } catch {
            throw connectionError(error)
        }
        guard response.status == .ok else {
            let body: ByteBuffer
            do { body = try await response.body.collect(upTo: 1 << 20) } catch { throw connectionError(error) }
            throw CLIError.from(status: response.status, body: Data(buffer: body))
        }
        connected()
        var pending = Data()
        do {
            for try await chunk in response.body {
                pending.append(contentsOf: chunk.readableBytesView)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = pending[pending.startIndex..<newline]
                    pending = Data(pending[pending.index(after: newline)...])
                    if !line.isEmpty, try !handle(Data(line)) { return }
                }
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw connectionError(error)
        }
    }

    /// Decodes a successful answer, or turns the error envelope into a `CLIError`.
    func decode<Value: Decodable>(_ type: Value.Type, from reply: Reply, accepting statuses: Set<UInt> = [200]) throws -> Value {
        guard statuses.contains(reply.status.code) else {
            throw CLIError.from(status: reply.status, body: reply.body)
        }
        do {
            return try APICoding.decoder().decode(type, from: reply.body)
        } catch {
            throw CLIError(.failure, "the daemon sent an answer this trainq cannot read: \(error)")
        }
    }

    private func request(_ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)] = []) throws
        -> HTTPClientRequest
    {
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: path) else {
            throw CLIError(.usage, "'\(socketPath)' is not a usable socket path")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    private func connectionError(_ error: any Error) -> CLIError {
        switch ConnectionFailure(error) {
        case .notRunning:
            CLIError(.daemonUnavailable, "cannot reach trainqd at \(socketPath): is it running? (\(error))", isReconnectable: true)
        case .notAllowed:
            CLIError(.forbidden, "no permission to use \(socketPath): are you in the trainq group? (\(error))")
        case .dropped:
            CLIError(.daemonUnavailable, "the connection to trainqd at \(socketPath) closed before its answer came (\(error))", isReconnectable: true)
        case .timedOut:
            CLIError(.daemonUnavailable, "trainqd at \(socketPath) did not answer in time (\(error))", isReconnectable: true)
        case .other:
            CLIError(.daemonUnavailable, "talking to trainqd at \(socketPath) failed: \(error)")
        }
    }
}
