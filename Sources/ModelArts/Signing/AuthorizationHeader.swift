/// The `Authorization: SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...` header, built by the
/// signer and parsed by a verifier (which must rebuild the canonical request from the *declared*
/// `SignedHeaders`, reference §5.3).
public struct AuthorizationHeader: Sendable, Hashable {
    public var accessKey: String
    /// Lower-case header names, in the order the client declared them.
    public var signedHeaders: [String]
    public var signature: String

    public init(accessKey: String, signedHeaders: [String], signature: String) {
        self.accessKey = accessKey
        self.signedHeaders = signedHeaders
        self.signature = signature
    }

    /// The header value, with the `", "` separators the SDK uses.
    public var headerValue: String {
        SigningCanonicalizer.algorithm + " Access=" + accessKey
            + ", SignedHeaders=" + signedHeaders.joined(separator: ";")
            + ", Signature=" + signature
    }

    /// Why a header value could not be parsed.
    public enum ParseFailure: Error, Sendable, Hashable, CustomStringConvertible {
        case wrongAlgorithm(String)
        case missingField(String)
        case emptyField(String)
        case malformedField(String)

        public var description: String {
            switch self {
            case .wrongAlgorithm(let found): "unsupported signing algorithm '\(found)', expected SDK-HMAC-SHA256"
            case .missingField(let name): "Authorization header lacks \(name)="
            case .emptyField(let name): "Authorization header has an empty \(name)"
            case .malformedField(let part): "Authorization header has a malformed part '\(part)'"
            }
        }
    }

    /// Parses a header value. Separators may be `,` or `, `; field order does not matter; unknown fields
    /// are an error so a stale `Credential=` format is reported instead of silently failing the signature.
    public static func parse(_ value: String) -> Result<AuthorizationHeader, ParseFailure> {
        let trimmed = value.trimmingPrefixWhitespace()
        guard let space = trimmed.firstIndex(of: " ") else {
            return .failure(trimmed == SigningCanonicalizer.algorithm ? .missingField("Access") : .wrongAlgorithm(String(trimmed)))
        }
        let algorithm = trimmed[..<space]
        guard algorithm == SigningCanonicalizer.algorithm else { return .failure(.wrongAlgorithm(String(algorithm))) }
        var fields: [String: String] = [:]
        for rawPart in trimmed[trimmed.index(after: space)...].split(separator: ",") {
            let part = rawPart.trimmingPrefixWhitespace().trimmingSuffixWhitespace()
            guard let equals = part.firstIndex(of: "=") else { return .failure(.malformedField(String(part))) }
            let name = String(part[..<equals])
            guard ["Access", "SignedHeaders", "Signature"].contains(name), fields[name] == nil else {
                return .failure(.malformedField(String(part)))
            }
            fields[name] = String(part[part.index(after: equals)...])
        }
        for name in ["Access", "SignedHeaders", "Signature"] {
            guard let field = fields[name] else { return .failure(.missingField(name)) }
            guard !field.isEmpty else { return .failure(.emptyField(name)) }
        }
        let signedHeaders = (fields["SignedHeaders"] ?? "").split(separator: ";", omittingEmptySubsequences: false)
            .map { $0.lowercased() }
        guard !signedHeaders.contains(where: \.isEmpty) else { return .failure(.malformedField("SignedHeaders=" + (fields["SignedHeaders"] ?? ""))) }
        return .success(AuthorizationHeader(
            accessKey: fields["Access"] ?? "",
            signedHeaders: signedHeaders,
            signature: fields["Signature"] ?? ""
        ))
    }
}

extension StringProtocol {
    fileprivate func trimmingPrefixWhitespace() -> SubSequence {
        self[(firstIndex { !$0.isWhitespace } ?? endIndex)...]
    }

    fileprivate func trimmingSuffixWhitespace() -> SubSequence {
        guard let last = lastIndex(where: { !$0.isWhitespace }) else { return self[endIndex...] }
        return self[...last]
    }
}
