import Foundation
import Testing
@testable import ModelArts

/// The signer against vectors from the real SDK (reference §6, and the committed fixture).
@Suite struct AKSKSignerVectorTests {
    static let accessKey = "AKIDEXAMPLE0000000001"
    static let secretKey = "SKexampleSecretKey0000000000000000000001"
    static let project = "0123456789abcdef0123456789abcdef"
    static let host = "modelarts.cn-north-4.myhuaweicloud.com"
    static let date = "20240102T030405Z"

    static var standardHeaders: [AKSKSigner.Header] {
        [
            .init(name: "Content-Type", value: "application/json"),
            .init(name: "Host", value: host),
            .init(name: "X-Sdk-Date", value: date),
            .init(name: "X-Project-Id", value: project),
        ]
    }

    static let signer = AKSKSigner(accessKey: accessKey, secretKey: secretKey)

    static func sign(
        _ method: String, _ path: String, query: [(name: String, value: String)] = [],
        headers: [AKSKSigner.Header] = standardHeaders, body: String = ""
    ) -> AKSKSigner.SignedRequest {
        signer.sign(method: method, path: path, query: query, headers: headers, body: Data(body.utf8), host: host)
    }

    static func stringToSignHash(_ signed: AKSKSigner.SignedRequest) -> String {
        SigningCanonicalizer.stringToSign(date: date, canonicalRequest: signed.canonicalRequest)
            .split(separator: "\n").last.map(String.init) ?? ""
    }

    @Test func v1CreateVersionWithJSONBody() {
        let body = #"{"job_desc":"nightly retrain","config":{"worker_server_num":1,"app_url":"/bucket/app/","boot_file_url":"/bucket/app/boot.py","parameter":[{"label":"learning_rate","value":"0.01"}],"data_url":"/bucket/data/","spec_id":1,"engine_id":1,"train_url":"/bucket/out/","log_url":"/bucket/log/","pre_version_id":20}}"#
        #expect(body.utf8.count == 306)
        let signed = Self.sign("POST", "/v1/\(Self.project)/training-jobs/10/versions", body: body)
        #expect(signed.canonicalRequest == """
            POST
            /v1/0123456789abcdef0123456789abcdef/training-jobs/10/versions/

            content-type:application/json
            host:modelarts.cn-north-4.myhuaweicloud.com
            x-project-id:0123456789abcdef0123456789abcdef
            x-sdk-date:20240102T030405Z

            content-type;host;x-project-id;x-sdk-date
            4aaafc61e7348e41b7f2768bccfb9f51120bfdb22fccdb5ac2aabc6c47ac486e
            """)
        #expect(Self.stringToSignHash(signed) == "6eaf3e955a9ceb833ae611d447dee028e1ecd90d5c47b45dafa9556e6b3c00cf")
        #expect(signed.authorization == "SDK-HMAC-SHA256 Access=AKIDEXAMPLE0000000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=2672b2a8450a0067b3badd33e9d31946150e49fba6a56d641f82dc699557a3e4")
    }

    @Test func v2ListVersionsSortsTheQuery() {
        let signed = Self.sign(
            "GET", "/v1/\(Self.project)/training-jobs/10/versions", query: [("per_page", "5"), ("page", "1")])
        #expect(signed.canonicalQuery == "page=1&per_page=5")
        #expect(Self.stringToSignHash(signed) == "3656ab9ce3136dd9286fca77ed73ff2f0e812a9663c6724da9f2fcd51818da6d")
        #expect(signed.authorization == "SDK-HMAC-SHA256 Access=AKIDEXAMPLE0000000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=36e47fb7849154311fda38e9f94264593f18a6379648ba4453cb650778764b0c")
    }

    @Test func v3MinimalHeadersGetHostAdded() {
        let signed = Self.sign(
            "GET", "/v1/\(Self.project)/training-jobs/10/versions/21",
            headers: [.init(name: "X-Sdk-Date", value: Self.date)])
        #expect(signed.headers.contains(.init(name: "Host", value: Self.host)))
        #expect(signed.signedHeaders == ["host", "x-sdk-date"])
        #expect(Self.stringToSignHash(signed) == "08b1344fa67634c0bcef745c078d06268624f1a1bca9e8478eac81addb7e8677")
        #expect(signed.authorization == "SDK-HMAC-SHA256 Access=AKIDEXAMPLE0000000001, SignedHeaders=host;x-sdk-date, Signature=8d46e2f9edfc2f9eeb88dbc67f1fd1d932cd0d57d4cb8bfa7082b7cd9ebb0e6f")
    }

    @Test func v4ListJobsQueryEncodingAndOrdering() {
        let signed = Self.sign(
            "GET", "/v1/\(Self.project)/training-jobs",
            query: [("status", "7"), ("per_page", "10"), ("page", "1"), ("sortBy", "job_name"), ("order", "asc"),
                    ("search_content", "my job~1/α")])
        #expect(signed.canonicalQuery == "order=asc&page=1&per_page=10&search_content=my%20job~1%2F%CE%B1&sortBy=job_name&status=7")
        #expect(Self.stringToSignHash(signed) == "9e42552e80927a817041ff4830670eaa1d9fa631cfb3d77a4f3fe48b60f15aac")
        #expect(signed.authorization == "SDK-HMAC-SHA256 Access=AKIDEXAMPLE0000000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=da60b4e64778f50124eccc5652e13086890da1d96beec60d1f8a3db4a2f5a2c7")
    }

    @Test func v5StopWithEmptyBody() {
        let signed = Self.sign("POST", "/v1/\(Self.project)/training-jobs/10/versions/21/stop")
        #expect(signed.canonicalRequest.hasSuffix("\n" + SigningCanonicalizer.emptyPayloadHash))
        #expect(Self.stringToSignHash(signed) == "279070420d79a767aa92c94b581d080c72f84c0dddd865762743f3fc515571ef")
        #expect(signed.authorization == "SDK-HMAC-SHA256 Access=AKIDEXAMPLE0000000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=f2efc3a9884299657f6b2d8165a687d5598d5a1e103302f4b66464894cb851b1")
    }

    @Test func v6UserAgentSignedUnderscoreNameDropped() {
        let signed = Self.sign(
            "GET", "/v1/\(Self.project)/training-jobs/10/versions/21",
            headers: [
                .init(name: "Host", value: Self.host), .init(name: "X-Sdk-Date", value: Self.date),
                .init(name: "X-Project-Id", value: Self.project), .init(name: "User-Agent", value: "test-agent/1.0"),
                .init(name: "X_Custom_Unsigned", value: "dropped-from-signature"),
            ])
        #expect(signed.headers.contains(.init(name: "X_Custom_Unsigned", value: "dropped-from-signature")))
        #expect(Self.stringToSignHash(signed) == "07acf3e00548c065b08099e4688f7e4a79ec9ccc06c8c37b29d20adb2862ab49")
        #expect(signed.authorization == "SDK-HMAC-SHA256 Access=AKIDEXAMPLE0000000001, SignedHeaders=host;user-agent;x-project-id;x-sdk-date, Signature=cdeff9a8dd95564e38e58e9a805bbe3d1d085a4f48e83a2ae0f13ed977d705ca")
    }

    /// Reference §6.2: the worked example of Huawei's signing guide.
    @Test func signingGuideWorkedExample() {
        let signer = AKSKSigner(accessKey: "AKEXAMPLEPLACEHOLDER", secretKey: "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc")
        let signed = signer.sign(
            method: "GET", path: "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
            query: [("limit", "2"), ("marker", "13551d6b-755d-4757-b956-536f674975c0")],
            headers: [.init(name: "Content-Type", value: "application/json"), .init(name: "X-Sdk-Date", value: "20191115T033655Z")],
            body: Data(), host: "service.region.example.com")
        let stringToSign = SigningCanonicalizer.stringToSign(date: "20191115T033655Z", canonicalRequest: signed.canonicalRequest)
        #expect(stringToSign.hasSuffix("\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"))
        #expect(signed.signature == "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe")
        #expect(signed.authorization == "SDK-HMAC-SHA256 Access=AKEXAMPLEPLACEHOLDER, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe")
    }

    static let fixture: SignVectorFixture? = try? SignVectorFixture.load()

    @Test func fixtureLoadsWithEveryKindOfCase() throws {
        let fixture = try #require(Self.fixture)
        let names = Set(fixture.vectors.map(\.name))
        #expect(fixture.vectors.count >= 20)
        for required in ["path_needing_percent_encoding", "query_repeated_parameters", "query_empty_values",
                         "query_non_ascii_values", "body_non_ascii_utf8"] {
            #expect(names.contains(required))
        }
        #expect(fixture.signing_guide_cross_check.contains { $0.matches_guide == true })
    }

    @Test(arguments: (try? SignVectorFixture.load())?.vectors.map(\.name) ?? [])
    func fixtureVector(named name: String) throws {
        let fixture = try #require(Self.fixture)
        let vector = try #require((fixture.vectors + fixture.signing_guide_cross_check).first { $0.name == name })
        try Self.check(vector)
    }

    @Test func fixtureSigningGuideCandidates() throws {
        let fixture = try #require(Self.fixture)
        for vector in fixture.signing_guide_cross_check { try Self.check(vector) }
    }

    static func check(_ vector: SignVectorFixture.Vector) throws {
        let inputs = vector.inputs
        let signer = AKSKSigner(accessKey: inputs.ak, secretKey: inputs.sk)
        let query = try inputs.query.map { pair in
            try #require(pair.count == 2)
            return (name: pair[0], value: pair[1])
        }
        let signed = signer.sign(
            method: inputs.method, path: inputs.path, query: query,
            headers: inputs.headers_before_signing.map { .init(name: $0.key, value: $0.value) },
            body: Data(inputs.body.utf8), host: inputs.host)
        #expect(signed.canonicalRequest == vector.canonical_request, "\(vector.name)")
        #expect(signed.signedHeaders.joined(separator: ";") == vector.signed_headers, "\(vector.name)")
        #expect(signed.signature == vector.signature, "\(vector.name)")
        #expect(signed.authorization == vector.expected_authorization, "\(vector.name)")
        #expect(SigningCanonicalizer.stringToSign(
            date: vector.headers_after_signing["X-Sdk-Date"] ?? "", canonicalRequest: signed.canonicalRequest)
            == vector.string_to_sign, "\(vector.name)")
        // The query we send is the one the SDK sends.
        let sentQuery = vector.request_uri_sent_by_sdk.firstIndex(of: "?").map {
            String(vector.request_uri_sent_by_sdk[vector.request_uri_sent_by_sdk.index(after: $0)...])
        } ?? ""
        #expect(signed.canonicalQuery == sentQuery, "\(vector.name)")
        // Headers added by the signer are the ones the SDK adds (compared by lower-cased name).
        var sent: [String: String] = [:]
        for header in signed.headers where header.name != "Authorization" { sent[header.name.lowercased()] = header.value }
        var expected: [String: String] = [:]
        for (name, value) in vector.headers_after_signing { expected[name.lowercased()] = value }
        #expect(sent.keys.sorted() == expected.keys.sorted(), "\(vector.name)")
    }
}
