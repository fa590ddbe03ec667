import Foundation
import Hummingbird
import ModelArts

/// Checks credentials the way the API gateway does (reference §5.3): an `X-Auth-Token` must be a token
/// IAM issued and that has not expired; an `SDK-HMAC-SHA256` signature is verified by rebuilding the
/// canonical request from the headers the client *declared* in `SignedHeaders`, with `X-Sdk-Date`
/// within the allowed skew. The canonical request is built by the same `SigningCanonicalizer` the
/// client uses.
struct RequestAuthenticator: Sendable {
    let accessKeys: [String: String]
    let required: Bool
    let clockSkew: Duration

    /// What the verifier needs of a request.
    struct Input: Sendable {
        var method: String
        /// The path as received, still percent-encoded.
        var path: String
        /// The query string as received, without `?`.
        var rawQuery: String
        /// Header value by lower-case name; `host` included.
        var header: @Sendable (String) -> String?
        var body: ByteBuffer
        var now: Date
    }

    func authenticate(_ input: Input, tokens: (String) async -> SimulatedCloud.TokenCheck) async throws(ServiceError) -> Caller {
        guard required else { return .anonymous }
        if let token = input.header("x-auth-token") {
            switch await tokens(token) {
            case .valid(let user): return .tokenUser(user)
            case .expired, .unknown: throw .tokenMustBeUpdated
            }
        }
        guard let authorization = input.header("authorization") else {
            throw .authenticationFailed("neither X-Auth-Token nor Authorization header is present")
        }
        return .accessKey(try verifySignature(authorization, input))
    }

    private func verifySignature(_ authorization: String, _ input: Input) throws(ServiceError) -> String {
        let declared: AuthorizationHeader
        switch AuthorizationHeader.parse(authorization) {
        case .success(let header): declared = header
        case .failure(let failure): throw .authenticationFailed("verify aksk signature fail, \(failure)")
        }
        guard let secretKey = accessKeys[declared.accessKey] else {
            throw .authenticationFailed("Get secretKey failed")
        }
        guard let sdkDate = input.header("x-sdk-date"), let signedAt = SDKDate.parse(sdkDate) else {
            throw .authenticationFailed("verify aksk signature fail, X-Sdk-Date header is missing or malformed")
        }
        let skew = abs(input.now.timeIntervalSince(signedAt))
        if skew > Double(clockSkew.components.seconds) {
            throw .authenticationFailed(
                "signature expired, signature time:\(sdkDate),server time:\(SDKDate.format(input.now))")
        }
        // A signature that covers neither the host nor the date could be replayed anywhere, forever.
        guard declared.signedHeaders.contains("host"), declared.signedHeaders.contains("x-sdk-date") else {
            throw .authenticationFailed("verify aksk signature fail, SignedHeaders must include host and x-sdk-date")
        }
        let canonicalRequest = SigningCanonicalizer.canonicalRequest(
            method: input.method,
            path: input.path,
            query: SigningCanonicalizer.parseQuery(input.rawQuery),
            headers: declared.signedHeaders.map { ($0, input.header($0) ?? "") },
            signedHeaders: declared.signedHeaders,
            payloadHash: SigningCanonicalizer.payloadHash(
                input.body.readableBytesView, contentSHA256Header: input.header("x-sdk-content-sha256"))
        )
        let expected = SigningCanonicalizer.signature(
            secretKey: secretKey,
            stringToSign: SigningCanonicalizer.stringToSign(date: sdkDate, canonicalRequest: canonicalRequest))
        guard SigningCanonicalizer.signaturesMatch(expected, declared.signature) else {
            let echoed = canonicalRequest.replacingOccurrences(of: "\n", with: "|")
            throw .authenticationFailed("verify aksk signature fail,canonicalRequest:\(echoed)")
        }
        return declared.accessKey
    }
}
