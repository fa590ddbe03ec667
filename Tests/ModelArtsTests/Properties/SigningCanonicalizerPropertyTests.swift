import Foundation
import Testing
@testable import ModelArts

/// Properties of the `SDK-HMAC-SHA256` canonicalization over generated paths, queries and headers: what
/// the client signs, a server rebuilding it from the request as received (headers in any order and case,
/// the query as sent) gets byte for byte; and any change to a signed part changes the signature.
@Suite struct SigningCanonicalizerPropertyTests {
    static let cases = 400

    @Test func percentEncodingIsReversibleAndUsesOnlyUnreservedCharacters() {
        let seed = PropertyRandom.seed()
        var random = PropertyRandom(seed: seed)
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~%".utf8)
        for index in 0..<Self.cases * 5 {
            let text = random.text(maxLength: 40)
            let encoded = SigningCanonicalizer.percentEncode(text)
            #expect(SigningCanonicalizer.percentDecode(encoded) == text, "seed \(seed) case \(index): \(text.debugDescription)")
            #expect(encoded.utf8.allSatisfy(allowed.contains), "seed \(seed) case \(index): \(encoded)")
            // Every escape is `%` and two upper-case hex digits.
            let bytes = Array(encoded.utf8)
            let hex = Set("0123456789ABCDEF".utf8)
            for position in bytes.indices where bytes[position] == UInt8(ascii: "%") {
                #expect(position + 2 < bytes.count && hex.contains(bytes[position + 1]) && hex.contains(bytes[position + 2]), "\(encoded)")
            }
        }
    }

    @Test func theCanonicalURIOfASentPathIsThatPathWithASlashAndIsStable() {
        let seed = PropertyRandom.seed()
        var random = PropertyRandom(seed: seed)
        for index in 0..<Self.cases * 2 {
            // A client sends each segment percent-encoded; a `/` inside a segment would be a separator.
            let segments = (0..<random.int(1...5)).map { _ in random.text(maxLength: 10).filter { $0 != "/" } }
            let sent = "/" + segments.map(SigningCanonicalizer.percentEncode).joined(separator: "/")
            let canonical = SigningCanonicalizer.canonicalURI(path: sent)
            #expect(canonical == (sent.hasSuffix("/") ? sent : sent + "/"), "seed \(seed) case \(index): \(segments)")
            #expect(SigningCanonicalizer.canonicalURI(path: canonical) == canonical, "seed \(seed) case \(index): \(segments)")
        }
    }

    @Test func theCanonicalQueryIgnoresOrderAndSurvivesTheWire() {
        let seed = PropertyRandom.seed()
        var random = PropertyRandom(seed: seed)
        for index in 0..<Self.cases * 2 {
            let items = (0..<random.int(0...6)).map { _ in (name: random.text(maxLength: 8), value: random.text(maxLength: 12)) }
            let canonical = SigningCanonicalizer.canonicalQuery(items)
            #expect(SigningCanonicalizer.canonicalQuery(items.shuffled(using: &random)) == canonical, "seed \(seed) case \(index)")
            // A server parses the query string as sent and gets the same pairs and canonical form back.
            let parsed = SigningCanonicalizer.parseQuery(canonical)
            #expect(parsed.count == items.count, "seed \(seed) case \(index): \(items)")
            #expect(SigningCanonicalizer.canonicalQuery(parsed) == canonical, "seed \(seed) case \(index): \(items)")
        }
    }

    @Test func signedHeaderNamesAreSortedLowerCaseUniqueAndOrderFree() {
        let seed = PropertyRandom.seed()
        var random = PropertyRandom(seed: seed)
        for index in 0..<Self.cases * 2 {
            let names = (0..<random.int(0...8)).map { _ in random.identifier(maxLength: 10) + random.pick(["", "-Id", "_x", "-SDK"]) }
            let signed = SigningCanonicalizer.signedHeaderNames(names)
            #expect(signed == signed.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }, "seed \(seed) case \(index)")
            #expect(Set(signed).count == signed.count)
            #expect(signed.allSatisfy { $0 == $0.lowercased() && !$0.contains("_") })
            let shuffledAndCased = names.shuffled(using: &random).map { random.bool() ? $0.uppercased() : $0 }
            #expect(SigningCanonicalizer.signedHeaderNames(shuffledAndCased) == signed, "seed \(seed) case \(index): \(names)")
        }
    }

    @Test func aServerRebuildsTheSignatureAndEveryChangeBreaksIt() {
        let seed = PropertyRandom.seed()
        var random = PropertyRandom(seed: seed)
        let signer = AKSKSigner(accessKey: "PROPERTYACCESSKEY0001", secretKey: "property-secret-key")
        for index in 0..<Self.cases {
            let path = "/v1/" + random.identifier(maxLength: 32) + "/training-jobs/" + String(random.int(1...99999)) + "/versions"
            let query = (0..<random.int(0...3)).map { _ in (name: random.identifier(), value: random.text(maxLength: 8)) }
            var headers = [AKSKSigner.Header(name: "Content-Type", value: "application/json;charset=UTF-8")]
            // Header names are unique (case-insensitively), as one request's headers are.
            var names: Set<String> = ["content-type"]
            for _ in 0..<random.int(0...3) {
                let name = "X-" + random.identifier()
                guard names.insert(name.lowercased()).inserted else { continue }
                headers.append(.init(name: name, value: random.text(maxLength: 16)))
            }
            let body = Data(random.text(maxLength: 64).utf8)
            let signed = signer.sign(method: "POST", path: path, query: query, headers: headers, body: body, host: "modelarts.example.com")

            // The server sees headers in any order and case, and the query as sent.
            let received = signed.headers.filter { $0.name != "Authorization" }.shuffled(using: &random)
                .map { (name: random.bool() ? $0.name.lowercased() : $0.name.uppercased(), value: $0.value) }
            let rebuilt = SigningCanonicalizer.canonicalRequest(
                method: "post", path: path, query: SigningCanonicalizer.parseQuery(signed.canonicalQuery), headers: received,
                signedHeaders: signed.signedHeaders, payloadHash: SigningCanonicalizer.payloadHash(body)
            )
            #expect(rebuilt == signed.canonicalRequest, "seed \(seed) case \(index)")
            let date = signed.headers.first { $0.name == "X-Sdk-Date" }?.value ?? ""
            let signature = SigningCanonicalizer.signature(
                secretKey: "property-secret-key", stringToSign: SigningCanonicalizer.stringToSign(date: date, canonicalRequest: rebuilt)
            )
            #expect(SigningCanonicalizer.signaturesMatch(signature, signed.signature))

            // Any change to the body, a signed header or the path gives another signature; a header with
            // `_` in its name is sent but not signed, so changing it changes nothing.
            let signedIndices = headers.indices.filter { !headers[$0].name.contains("_") }
            var tamperedHeaders = headers
            tamperedHeaders[random.pick(signedIndices)].value += "!"
            let date0 = Date(timeIntervalSince1970: 1_700_000_000)
            let original = signer.sign(method: "POST", path: path, query: query, headers: headers, body: body, host: "h", date: date0)
            let unsigned = headers + [.init(name: "X_Unsigned", value: random.text())]
            #expect(signer.sign(method: "POST", path: path, query: query, headers: unsigned, body: body, host: "h", date: date0).signature == original.signature)
            for variant in [
                signer.sign(method: "POST", path: path, query: query, headers: tamperedHeaders, body: body, host: "h", date: date0),
                signer.sign(method: "POST", path: path, query: query, headers: headers, body: body + Data("x".utf8), host: "h", date: date0),
                signer.sign(method: "POST", path: path + "x", query: query, headers: headers, body: body, host: "h", date: date0),
                signer.sign(method: "PUT", path: path, query: query, headers: headers, body: body, host: "h", date: date0),
            ] {
                #expect(variant.signature != original.signature, "seed \(seed) case \(index)")
            }
        }
    }
}
