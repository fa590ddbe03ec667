import Foundation
import NIOHTTP1

/// Builds the exact request to send: URL with the canonical query, the headers, and the AK/SK signature
/// or the token. Pure (the date is a parameter), so the signed request is unit-tested byte for byte.
struct OutgoingRequestBuilder: Sendable {
    let scheme: String
    /// `host` or `host:port` as written in the endpoint URL; what the SDK puts in `Host` and signs.
    let hostHeader: String
    let basePath: String
    let projectID: String
    let userAgent: String

    enum Credential: Sendable {
        case signer(AKSKSigner)
        case token(String)
    }

    init(endpoint: URL, projectID: String, userAgent: String) {
        scheme = endpoint.scheme?.lowercased() ?? "https"
        hostHeader = Self.hostHeader(for: endpoint)
        let path = endpoint.path
        basePath = path.hasSuffix("/") ? String(path.dropLast()) : path
        self.projectID = projectID
        self.userAgent = userAgent
    }

    /// The URL's host, with `:port` only when the URL names one (as the SDK does).
    static func hostHeader(for url: URL) -> String {
        var host = url.host ?? ""
        if host.contains(":"), !host.hasPrefix("[") { host = "[" + host + "]" }
        if let port = url.port { host += ":\(port)" }
        return host
    }

    /// - Parameter projectOverride: another project than the configured one, for this request only.
    func build(
        _ target: RequestTarget, projectOverride: String? = nil, body: Data, credential: Credential, date: Date
    ) -> HTTPTransport.Request {
        let projectID = projectOverride ?? self.projectID
        let path = target.path(basePath: basePath, projectID: projectID)
        var headers: [AKSKSigner.Header] = [
            .init(name: "Host", value: hostHeader),
            .init(name: "Content-Type", value: target.contentType),
            .init(name: "X-Project-Id", value: projectID),
            .init(name: "User-Agent", value: userAgent),
        ]
        let query: String
        switch credential {
        case .signer(let signer):
            let signed = signer.sign(method: target.method.rawValue, path: path, query: target.queryPairs,
                                     headers: headers, body: body, host: hostHeader, date: date)
            headers = signed.headers
            query = signed.canonicalQuery
        case .token(let token):
            headers.append(.init(name: "X-Auth-Token", value: token))
            query = SigningCanonicalizer.canonicalQuery(target.queryPairs)
        }
        let url = scheme + "://" + hostHeader + path + (query.isEmpty ? "" : "?" + query)
        return HTTPTransport.Request(
            method: target.method, url: url, headers: HTTPHeaders(headers.map { ($0.name, $0.value) }), body: body)
    }
}
