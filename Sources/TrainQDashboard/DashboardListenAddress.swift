/// `--listen HOST:PORT`: where the dashboard listens. Loopback unless the user names another address.
public struct DashboardListenAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public static let defaultAddress = DashboardListenAddress(host: "127.0.0.1", port: 0)

    /// `127.0.0.1:8080`, `localhost:0`, `[::1]:8080`; nil when it is none of these.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.init(host: host, port: port)
    }

    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// The host as it appears in a URL and a `Host` header.
    var urlHost: String {
        host.contains(":") ? "[\(host)]" : host
    }
}
