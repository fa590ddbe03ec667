import Crypto
import Foundation

/// The pieces of the `SDK-HMAC-SHA256` canonical request (reference §5.2), exposed one by one so that a
/// server can rebuild exactly what a client signed and verify it.
///
/// Every function here is pure: the client signer and the simulator's verifier share them, so the two
/// can only disagree about inputs, never about the algorithm.
public enum SigningCanonicalizer {
    /// The algorithm name that starts both the string to sign and the `Authorization` header.
    public static let algorithm = "SDK-HMAC-SHA256"

    /// SHA-256 of the empty body, the payload hash of every GET and of a POST without a body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// Lower-case hex SHA-256 of the exact body bytes sent.
    public static func payloadHash(_ body: some DataProtocol) -> String {
        hex(SHA256.hash(data: body))
    }

    /// The payload hash as the SDK computes it: an empty body always hashes as empty; otherwise an
    /// `X-Sdk-Content-Sha256` header value (e.g. `UNSIGNED-PAYLOAD`) replaces the hash.
    public static func payloadHash(_ body: some DataProtocol, contentSHA256Header: String?) -> String {
        if body.isEmpty { return emptyPayloadHash }
        if let literal = contentSHA256Header, !literal.isEmpty { return literal }
        return payloadHash(body)
    }

    /// Percent-encodes with RFC 3986 unreserved characters kept (`A–Z a–z 0–9 - _ . ~`);
    /// every other UTF-8 byte becomes `%XY` with upper-case hex.
    public static func percentEncode(_ text: String) -> String {
        var encoded = ""
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                encoded.append("%")
                encoded.append(upperHexDigits[Int(byte >> 4)])
                encoded.append(upperHexDigits[Int(byte & 0x0F)])
            }
        }
        return encoded
    }

    /// Decodes `%XY` sequences; a `%` not followed by two hex digits stays as it is, and bytes that are not
    /// valid UTF-8 become U+FFFD (what the SDK's `unquote` does).
    public static func percentDecode(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
               let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// The canonical URI: the path percent-decoded, each segment re-encoded, with a trailing `/`.
    /// The request itself is sent without the trailing slash.
    public static func canonicalURI(path: String) -> String {
        let segments = percentDecode(path).split(separator: "/", omittingEmptySubsequences: false)
        let joined = segments.map { percentEncode(String($0)) }.joined(separator: "/")
        return joined.hasSuffix("/") ? joined : joined + "/"
    }

    /// The canonical query string: every pair encoded as `name=value` (an empty value keeps its `=`),
    /// sorted by raw name, then raw value, in code-point order, joined with `&`. Clients send exactly this
    /// string as the query, so the signed and the sent forms never differ.
    public static func canonicalQuery(_ items: [(name: String, value: String)]) -> String {
        items
            .sorted { lhs, rhs in
                if lhs.name != rhs.name { return codePointPrecedes(lhs.name, rhs.name) }
                return codePointPrecedes(lhs.value, rhs.value)
            }
            .map { percentEncode($0.name) + "=" + percentEncode($0.value) }
            .joined(separator: "&")
    }

    /// Parses a raw query string (as received by a server) into pairs, percent-decoded; `+` is kept as a
    /// literal plus, because signing clients encode a space as `%20`.
    public static func parseQuery(_ rawQuery: String) -> [(name: String, value: String)] {
        guard !rawQuery.isEmpty else { return [] }
        return rawQuery.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let equals = pair.firstIndex(of: "=") {
                return (percentDecode(String(pair[..<equals])), percentDecode(String(pair[pair.index(after: equals)...])))
            }
            return (percentDecode(String(pair)), "")
        }
    }

    /// The `SignedHeaders` list for a set of header names: those without `_`, lower-cased, de-duplicated and
    /// sorted by byte order.
    public static func signedHeaderNames(_ names: some Sequence<String>) -> [String] {
        let lowered = Set(names.filter { !$0.contains("_") }.map { $0.lowercased() })
        return lowered.sorted { codePointPrecedes($0, $1) }
    }

    /// Canonical headers: `name:trimmed value\n` for each signed header, in the given order. `value(for:)`
    /// receives the lower-cased name; a missing header contributes an empty value (the verifier then fails
    /// the signature rather than the parse).
    public static func canonicalHeaders(signedHeaders: [String], value: (String) -> String?) -> String {
        signedHeaders.map { name in
            name + ":" + (value(name) ?? "").trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
        }.joined()
    }

    /// The canonical request: method, URI, query, headers, signed header list and payload hash, one per
    /// line. The headers block already ends with a newline, so a blank line precedes the list.
    public static func canonicalRequest(
        method: String,
        path: String,
        query: [(name: String, value: String)],
        headers: [(name: String, value: String)],
        signedHeaders: [String],
        payloadHash: String
    ) -> String {
        var byName: [String: String] = [:]
        for header in headers { byName[header.name.lowercased()] = header.value }
        return [
            method.uppercased(),
            canonicalURI(path: path),
            canonicalQuery(query),
            canonicalHeaders(signedHeaders: signedHeaders) { byName[$0] },
            signedHeaders.joined(separator: ";"),
            payloadHash,
        ].joined(separator: "\n")
    }

    /// `SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex sha256 of the canonical request>`.
    public static func stringToSign(date: String, canonicalRequest: String) -> String {
        algorithm + "\n" + date + "\n" + hex(SHA256.hash(data: Data(canonicalRequest.utf8)))
    }

    /// Lower-case hex HMAC-SHA256 of the string to sign, keyed with the SK's UTF-8 bytes (no derivation).
    public static func signature(secretKey: String, stringToSign: String) -> String {
        let key = SymmetricKey(data: Data(secretKey.utf8))
        return hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
    }

    /// Compares two hex signatures in time independent of where they differ.
    public static func signaturesMatch(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8), right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    // MARK: - Helpers

    /// Code-point order (what the SDK's Python `sorted` uses); UTF-8 byte order is the same order.
    static func codePointPrecedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    private static let upperHexDigits: [Character] = Array("0123456789ABCDEF")
    private static let lowerHexDigits: [Character] = Array("0123456789abcdef")

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var text = ""
        for byte in bytes {
            text.append(lowerHexDigits[Int(byte >> 4)])
            text.append(lowerHexDigits[Int(byte & 0x0F)])
        }
        return text
    }
}
