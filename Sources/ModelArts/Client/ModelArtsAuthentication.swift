/// How calls prove who we are.
public enum ModelArtsAuthentication: Sendable, CustomStringConvertible {
    /// Sign every call with `SDK-HMAC-SHA256`.
    case accessKey(AKSKSigner)
    /// Send `X-Auth-Token` from an IAM token provider.
    case token(IAMTokenProvider)

    public var description: String {
        switch self {
        case .accessKey(let signer): "AK/SK (\(signer.accessKey))"
        case .token: "IAM token"
        }
    }
}
