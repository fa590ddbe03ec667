import Foundation

/// Everything the client needs to reach one ModelArts endpoint. Secrets live only inside `authentication`
/// (whose descriptions redact them).
public struct ModelArtsClientConfiguration: Sendable {
    /// e.g. `https://modelarts.cn-north-4.myhuaweicloud.com` (a path prefix is kept; a trailing `/` is not).
    public var endpoint: URL
    /// The 32-hex-digit project id that goes into every path and the `X-Project-Id` header.
    public var projectID: String
    public var authentication: ModelArtsAuthentication
    public var connectTimeout: Duration
    /// The whole call, from queueing for a connection to the last byte of the answer.
    public var requestTimeout: Duration
    /// A PEM file of CA certificates to trust instead of the system store (e.g. a private gateway).
    public var caFile: String?
    /// An explicit HTTP(S) proxy; the client never reads proxy environment variables.
    public var proxy: Proxy?
    /// Calls per second, sustained, across every caller of this client.
    public var rate: Double
    /// Calls that may start back to back after a quiet period.
    public var burst: Int
    /// Calls in flight at once.
    public var concurrency: Int
    /// Sent (and signed) as `User-Agent`.
    public var userAgent: String
    /// The largest response body accepted; a bigger one is reported as undecodable.
    public var maxResponseBytes: Int

    public struct Proxy: Sendable, Hashable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// From `http://proxy.example.com:3128` (the port defaults to 80 for http, 443 for https);
        /// `nil` for anything else.
        public init?(url: URL) {
            guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  let host = url.host, !host.isEmpty, url.path.isEmpty || url.path == "/", url.query == nil
            else { return nil }
            self.init(host: host, port: url.port ?? (scheme == "https" ? 443 : 80))
        }
    }

    public init(
        endpoint: URL,
        projectID: String,
        authentication: ModelArtsAuthentication,
        connectTimeout: Duration = Defaults.connectTimeout,
        requestTimeout: Duration = Defaults.requestTimeout,
        caFile: String? = nil,
        proxy: Proxy? = nil,
        rate: Double = Defaults.rate,
        burst: Int = Defaults.burst,
        concurrency: Int = Defaults.concurrency,
        userAgent: String = "trainq-modelarts/1.0",
        maxResponseBytes: Int = 16 * 1024 * 1024
    ) {
        self.endpoint = endpoint
        self.projectID = projectID
        self.authentication = authentication
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.caFile = caFile
        self.proxy = proxy
        self.rate = rate
        self.burst = burst
        self.concurrency = concurrency
        self.userAgent = userAgent
        self.maxResponseBytes = maxResponseBytes
    }

    /// Every problem with this configuration, named by its field; empty when it is usable.
    public func problems() -> [String] {
        var problems: [String] = []
        if let scheme = endpoint.scheme?.lowercased() {
            if scheme != "https" && scheme != "http" { problems.append("endpoint: scheme must be https (or http for a local simulator), got \(scheme)") }
        } else {
            problems.append("endpoint: missing scheme")
        }
        if endpoint.host?.isEmpty ?? true { problems.append("endpoint: missing host") }
        if endpoint.query != nil { problems.append("endpoint: must not have a query") }
        if projectID.isEmpty || projectID.contains("/") { problems.append("project_id: must be a non-empty path segment") }
        if connectTimeout <= .zero { problems.append("connect_timeout: must be positive") }
        if requestTimeout <= .zero { problems.append("request_timeout: must be positive") }
        if !(rate > 0) || !rate.isFinite { problems.append("rate: must be a positive number") }
        if burst < 1 { problems.append("burst: must be at least 1") }
        if concurrency < 1 { problems.append("concurrency: must be at least 1") }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { problems.append("ca_file: cannot read \(caFile)") }
        if let proxy, proxy.host.isEmpty || !(1...65535).contains(proxy.port) { problems.append("proxy: needs a host and a port 1-65535") }
        if maxResponseBytes < 1024 { problems.append("max_response_bytes: must be at least 1024") }
        return problems
    }
}
