import AsyncHTTPClient
import NIOCore
import NIOSSL

/// Builds the async-http-client instance from our transport options, in one place for the ModelArts
/// client and the IAM token provider.
enum HTTPClientFactory {
    struct Options: Sendable, Hashable {
        var connectTimeout: Duration
        var caFile: String?
        var proxy: ModelArtsClientConfiguration.Proxy?
    }

    static func make(_ options: Options) -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()  // system trust store, full verification
        if let caFile = options.caFile {
            tls.trustRoots = .file(caFile)
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            // A redirect would carry signed headers to another place; the API never redirects.
            redirectConfiguration: .disallow,
            timeout: .init(connect: timeAmount(options.connectTimeout), read: nil),
            proxy: options.proxy.map { .server(host: $0.host, port: $0.port) },
            decompression: .disabled)
        // Fail fast on connect errors: the caller's retry policy decides, and "not sent" stays exact.
        configuration.connectionPool.retryConnectionEstablishment = false
        // HTTP/1.1 only, so "request head sent" has one meaning on every connection.
        configuration.httpVersion = .http1Only
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
