import Foundation
import Testing
@testable import ModelArts

@Suite struct SigningCanonicalizerTests {
    @Test func percentEncodingKeepsOnlyUnreservedCharacters() {
        #expect(SigningCanonicalizer.percentEncode("AZaz09-_.~") == "AZaz09-_.~")
        #expect(SigningCanonicalizer.percentEncode("a b+c/d=e&f") == "a%20b%2Bc%2Fd%3De%26f")
        #expect(SigningCanonicalizer.percentEncode("α") == "%CE%B1")
        #expect(SigningCanonicalizer.percentEncode("") == "")
    }

    @Test func percentDecodingLeavesInvalidEscapes() {
        #expect(SigningCanonicalizer.percentDecode("a%20b%2Fc") == "a b/c")
        #expect(SigningCanonicalizer.percentDecode("100%") == "100%")
        #expect(SigningCanonicalizer.percentDecode("%zz%4") == "%zz%4")
        #expect(SigningCanonicalizer.percentDecode("%CE%B1") == "α")
        #expect(SigningCanonicalizer.percentDecode("%FF") == "\u{FFFD}")
    }

    @Test func canonicalURIAddsOneTrailingSlash() {
        #expect(SigningCanonicalizer.canonicalURI(path: "/v1/p/training-jobs") == "/v1/p/training-jobs/")
        #expect(SigningCanonicalizer.canonicalURI(path: "/v1/p/training-jobs/") == "/v1/p/training-jobs/")
        #expect(SigningCanonicalizer.canonicalURI(path: "/") == "/")
        #expect(SigningCanonicalizer.canonicalURI(path: "/a b/%41") == "/a%20b/A/")
    }

    @Test func canonicalQuerySortsRawNamesThenValues() {
        let query = SigningCanonicalizer.canonicalQuery([("b", "2"), ("a", "z"), ("a", "y"), ("B", ""), ("a b", "x")])
        #expect(query == "B=&a=y&a=z&a%20b=x&b=2")
        #expect(SigningCanonicalizer.canonicalQuery([]) == "")
    }

    @Test func parsedQueryCanonicalizesBackToTheSentForm() {
        let sent = "order=asc&page=1&per_page=10&search_content=my%20job~1%2F%CE%B1&sortBy=job_name&status=7&empty="
        let pairs = SigningCanonicalizer.parseQuery(sent)
        #expect(pairs.count == 7)
        #expect(pairs.contains { $0.name == "search_content" && $0.value == "my job~1/α" })
        #expect(SigningCanonicalizer.canonicalQuery(pairs) == "empty=&" + sent.replacingOccurrences(of: "&empty=", with: ""))
        #expect(SigningCanonicalizer.parseQuery("").isEmpty)
        #expect(SigningCanonicalizer.parseQuery("flag").first?.value == "")
    }

    @Test func signedHeaderNamesAreLowerCasedSortedWithoutUnderscores() {
        let names = SigningCanonicalizer.signedHeaderNames(["X-Sdk-Date", "Host", "X_Trace", "Content-Type", "host"])
        #expect(names == ["content-type", "host", "x-sdk-date"])
    }

    @Test func canonicalHeadersTrimValues() {
        let block = SigningCanonicalizer.canonicalHeaders(signedHeaders: ["host", "user-agent"]) {
            ["host": " example.com ", "user-agent": "a  b\t"][$0]
        }
        #expect(block == "host:example.com\nuser-agent:a  b\n")
    }

    @Test func payloadHashRules() {
        #expect(SigningCanonicalizer.payloadHash(Data()) == SigningCanonicalizer.emptyPayloadHash)
        #expect(SigningCanonicalizer.payloadHash(Data(), contentSHA256Header: "UNSIGNED-PAYLOAD") == SigningCanonicalizer.emptyPayloadHash)
        #expect(SigningCanonicalizer.payloadHash(Data("x".utf8), contentSHA256Header: "UNSIGNED-PAYLOAD") == "UNSIGNED-PAYLOAD")
        #expect(SigningCanonicalizer.payloadHash(Data("abc".utf8), contentSHA256Header: nil)
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func signatureComparison() {
        #expect(SigningCanonicalizer.signaturesMatch("abc", "abc"))
        #expect(!SigningCanonicalizer.signaturesMatch("abc", "abd"))
        #expect(!SigningCanonicalizer.signaturesMatch("abc", "abcd"))
    }

    @Test func sdkDateRoundTrip() throws {
        let date = try #require(SDKDate.parse("20240102T030405Z"))
        #expect(date.timeIntervalSince1970 == 1_704_164_645)
        #expect(SDKDate.format(date) == "20240102T030405Z")
        #expect(SDKDate.parse("2024-01-02T03:04:05Z") == nil)
        #expect(SDKDate.parse("20240231T030405Z") == nil)
        #expect(SDKDate.parse("20241302T030405Z") == nil)
        #expect(SDKDate.parse("") == nil)
    }
}

/// Verifying as a server would: from the declared `SignedHeaders`, using what actually arrived.
@Suite struct SignatureVerificationTests {
    static let secretKey = "SKexampleSecretKey0000000000000000000001"

    static func verify(_ wire: SignVectorFixture.WireCapture.Wire, secretKey: String = secretKey, body: String? = nil) throws -> Bool {
        var lowered: [String: String] = [:]
        for (name, value) in wire.headers { lowered[name.lowercased()] = value }
        let authorization = try AuthorizationHeader.parse(try #require(lowered["authorization"])).get()
        let path = String(wire.raw_path.prefix { $0 != "?" })
        let rawQuery = wire.raw_path.firstIndex(of: "?").map { String(wire.raw_path[wire.raw_path.index(after: $0)...]) } ?? ""
        let canonical = SigningCanonicalizer.canonicalRequest(
            method: wire.method, path: path, query: SigningCanonicalizer.parseQuery(rawQuery),
            headers: wire.headers.map { ($0.key, $0.value) }, signedHeaders: authorization.signedHeaders,
            payloadHash: SigningCanonicalizer.payloadHash(Data((body ?? wire.body).utf8), contentSHA256Header: lowered["x-sdk-content-sha256"]))
        let stringToSign = SigningCanonicalizer.stringToSign(date: lowered["x-sdk-date"] ?? "", canonicalRequest: canonical)
        return SigningCanonicalizer.signaturesMatch(
            SigningCanonicalizer.signature(secretKey: secretKey, stringToSign: stringToSign), authorization.signature)
    }

    @Test func realSDKWireCapturesVerify() throws {
        let fixture = try SignVectorFixture.load()
        #expect(fixture.wire_capture_real_sdk_client.count >= 4)
        for capture in fixture.wire_capture_real_sdk_client {
            #expect(capture.wire.server_side_signature_ok)
            #expect(try Self.verify(capture.wire), "\(capture.scenario)")
        }
    }

    @Test func tamperedBodyWrongKeyAndMissingHeaderFail() throws {
        let fixture = try SignVectorFixture.load()
        let create = try #require(fixture.wire_capture_real_sdk_client.first { $0.scenario == "ok_create" }).wire
        #expect(try !Self.verify(create, body: create.body.replacingOccurrences(of: "\"worker_server_num\": 1", with: "\"worker_server_num\": 2")))
        #expect(try !Self.verify(create, secretKey: "wrong"))
        var withoutAgent = create
        withoutAgent.headers["User-Agent"] = nil
        #expect(try !Self.verify(withoutAgent))
    }
}

@Suite struct AuthorizationHeaderTests {
    @Test func parsesTheSDKFormat() throws {
        let parsed = try AuthorizationHeader.parse(
            "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=content-type;Host;x-sdk-date, Signature=abc").get()
        #expect(parsed == AuthorizationHeader(accessKey: "AK1", signedHeaders: ["content-type", "host", "x-sdk-date"], signature: "abc"))
        #expect(try AuthorizationHeader.parse("SDK-HMAC-SHA256 Signature=abc,Access=AK1,SignedHeaders=host").get().accessKey == "AK1")
        #expect(parsed.headerValue == "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=content-type;host;x-sdk-date, Signature=abc")
    }

    @Test func rejectsMalformedValues() {
        #expect(AuthorizationHeader.parse("Bearer x") == .failure(.wrongAlgorithm("Bearer")))
        #expect(AuthorizationHeader.parse("SDK-HMAC-SHA256") == .failure(.missingField("Access")))
        #expect(AuthorizationHeader.parse("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host") == .failure(.missingField("Signature")))
        #expect(AuthorizationHeader.parse("SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature=x") == .failure(.emptyField("Access")))
        #expect(AuthorizationHeader.parse("SDK-HMAC-SHA256 Credential=AK/20150907//ec2/sdk_request, SignedHeaders=host, Signature=x")
            == .failure(.malformedField("Credential=AK/20150907//ec2/sdk_request")))
        #expect(AuthorizationHeader.parse("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;;x, Signature=x")
            == .failure(.malformedField("SignedHeaders=host;;x")))
        #expect(AuthorizationHeader.parse("SDK-HMAC-SHA256 Access=AK, Access=AK, SignedHeaders=host, Signature=x")
            == .failure(.malformedField("Access=AK")))
        #expect(AuthorizationHeader.parse("SDK-HMAC-SHA256 Access=AK, junk, SignedHeaders=host, Signature=x")
            == .failure(.malformedField("junk")))
    }
}

@Suite struct SignerSecrecyTests {
    @Test func descriptionsNeverShowTheSecretKey() {
        let secret = "SKverySecretValue000000000000000000000001"
        let signer = AKSKSigner(accessKey: "AKPUBLIC", secretKey: secret)
        var dumped = ""
        dump(signer, to: &dumped)
        for text in [String(describing: signer), String(reflecting: signer), "\(signer)", dumped] {
            #expect(!text.contains(secret))
            #expect(text.contains("AKPUBLIC"))
        }
    }

    @Test func signingWithoutADateHeaderUsesTheGivenTime() throws {
        let signer = AKSKSigner(accessKey: "AK", secretKey: "SK")
        let signed = signer.sign(method: "GET", path: "/v1/p/training-jobs", query: [], headers: [], body: Data(),
                                 host: "h", date: Date(timeIntervalSince1970: 1_704_164_645))
        #expect(signed.headers.contains(.init(name: "X-Sdk-Date", value: "20240102T030405Z")))
        #expect(signed.headers.last?.name == "Authorization")
    }
}
