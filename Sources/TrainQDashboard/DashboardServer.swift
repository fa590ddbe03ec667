import AsyncHTTPClient
import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// `trainq dashboard`: the page and a relay to trainqd's socket on one loopback port, run as the user
/// who starts it. trainqd itself keeps listening on its Unix socket only.
public struct DashboardServer: Sendable {
    public let listen: DashboardListenAddress
    public let socketPath: String
    /// The secret in the printed URL, which becomes the session cookie.
    public let token: String
    let csrfToken: String

    public init(listen: DashboardListenAddress, socketPath: String) {
        self.listen = listen
        self.socketPath = socketPath
        self.token = DashboardAccess.randomSecret()
        self.csrfToken = DashboardAccess.randomSecret()
    }

    /// The URL to open: the entry with the token, on the bound port.
    public func entryURL(port: Int) -> String {
        let host = listen.host == "0.0.0.0" || listen.host == "::" ? "127.0.0.1" : listen.urlHost
        return "http://\(host):\(port)/?token=\(token)"
    }

    /// Serves until SIGINT or SIGTERM; `onListening` gets the bound port.
    public func run(logger: Logger, onListening: @escaping @Sendable (Int) async -> Void) async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        let http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        let hosts = BoundHosts()
        let responder = DashboardResponder(
            relay: DaemonRelay(socketPath: socketPath, http: http),
            assets: DashboardAssets(csrfToken: csrfToken, socketPath: socketPath), token: token, hosts: hosts)
        let listen = self.listen
        let application = Application(
            responder: responder,
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? listen.port
                hosts.set(Self.allowedHosts(listen, port: port))
                await onListening(port)
            },
            logger: logger)
        do {
            try await application.runService()
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    /// The loopback names of this port, and the listen address itself when it is another.
    static func allowedHosts(_ listen: DashboardListenAddress, port: Int) -> Set<String> {
        var hosts: Set<String> = ["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)"]
        if !listen.isLoopback, listen.host != "0.0.0.0", listen.host != "::" {
            hosts.insert("\(listen.urlHost.lowercased()):\(port)")
        }
        return hosts
    }
}
