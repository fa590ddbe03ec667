import Foundation

/// Signs outgoing requests with an access key / secret key pair (`SDK-HMAC-SHA256`, reference §5.2).
///
/// The signer only adds headers; it never reorders the body. Sign the exact bytes you send.
public struct AKSKSigner: Sendable {
    public let accessKey: String
    private let secretKey: String

    public init(accessKey: String, secretKey: String) {
        self.accessKey = accessKey
        self.secretKey = secretKey
    }

    /// What to put on the wire after signing.
    public struct SignedRequest: Sendable, Hashable {
        /// The headers to send, in order: the given ones, then `Host` and `X-Sdk-Date` when they were
        /// missing, then `Authorization`.
        public var headers: [Header]
        /// The canonical query string; send it as the URL's query so signed and sent forms agree.
        public var canonicalQuery: String
        /// The canonical request that was signed (useful when a server rejects the signature).
        public var canonicalRequest: String
        public var signedHeaders: [String]
        public var signature: String

        public var authorization: String? {
            headers.first { $0.name.lowercased() == "authorization" }?.value
        }
    }

    /// A header as it is sent: original spelling of the name, raw value.
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Signs a request.
    /// - Parameters:
    ///   - host: the URL's host, with `:port` only when the endpoint URL names a port; used when `headers`
    ///     has no `Host`.
    ///   - date: the signing time; ignored when `headers` already has `X-Sdk-Date` (the SDK keeps a given
    ///     date and signs it).
    ///   - headers: every header that will be sent and should be signed; names containing `_` are sent but
    ///     not signed. Headers the HTTP stack adds later (`Content-Length`, `Accept`, ...) must not be here.
    public func sign(
        method: String,
        path: String,
        query: [(name: String, value: String)],
        headers: [Header],
        body: some DataProtocol,
        host: String,
        date: Date = Date()
    ) -> SignedRequest {
        var headers = headers.filter { $0.name.lowercased() != "authorization" }
        if !headers.contains(where: { $0.name.lowercased() == "host" }) {
            headers.append(Header(name: "Host", value: host))
        }
        if !headers.contains(where: { $0.name.lowercased() == "x-sdk-date" }) {
            headers.append(Header(name: "X-Sdk-Date", value: SDKDate.format(date)))
        }
        // The SDK does not hash bodies of other content types; it signs a literal instead.
        if let contentType = headers.last(where: { $0.name.lowercased() == "content-type" })?.value,
           !contentType.hasPrefix("application/json"), !contentType.hasPrefix("application/bson"),
           !headers.contains(where: { $0.name.lowercased() == "x-sdk-content-sha256" }) {
            headers.append(Header(name: "X-Sdk-Content-Sha256", value: "UNSIGNED-PAYLOAD"))
        }
        let sdkDate = headers.last { $0.name.lowercased() == "x-sdk-date" }?.value ?? ""
        let signedHeaders = SigningCanonicalizer.signedHeaderNames(headers.map(\.name))
        let payloadHash = SigningCanonicalizer.payloadHash(
            body, contentSHA256Header: headers.last { $0.name.lowercased() == "x-sdk-content-sha256" }?.value)
        let canonicalRequest = SigningCanonicalizer.canonicalRequest(
            method: method,
            path: path,
            query: query,
            headers: headers.map { ($0.name, $0.value) },
            signedHeaders: signedHeaders,
            payloadHash: payloadHash
        )
        let stringToSign = SigningCanonicalizer.stringToSign(date: sdkDate, canonicalRequest: canonicalRequest)
        let signature = SigningCanonicalizer.signature(secretKey: secretKey, stringToSign: stringToSign)
        let authorization = AuthorizationHeader(
            accessKey: accessKey, signedHeaders: signedHeaders, signature: signature)
        headers.append(Header(name: "Authorization", value: authorization.headerValue))
        return SignedRequest(
            headers: headers,
            canonicalQuery: SigningCanonicalizer.canonicalQuery(query),
            canonicalRequest: canonicalRequest,
            signedHeaders: signedHeaders,
            signature: signature
        )
    }
}

extension AKSKSigner: CustomStringConvertible, CustomDebugStringConvertible {
    /// Shows the access key only; the secret key never leaves this struct in text form.
    public var description: String { "AKSKSigner(accessKey: \(accessKey), secretKey: <redacted>)" }
    public var debugDescription: String { description }
}

extension AKSKSigner: CustomReflectable {
    /// Keeps `dump()` and `Mirror`-based loggers from printing the secret key.
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKey": accessKey, "secretKey": "<redacted>"])
    }
}
