import Foundation
import JSONTree
import ModelArts
import ModelArtsSimulator
import NIOHTTP1
import Testing

/// The simulator verifies what the real Huawei SDK signed (the vectors of reference §6.1, produced by
/// `huaweicloudsdkcore`'s signer) and refuses anything that does not match.
@Suite struct SignatureVerificationTests {
    static let accessKey = "AKIDEXAMPLE0000000001"
    static let secretKey = "SKexampleSecretKey0000000000000000000001"
    static let host = "modelarts.cn-north-4.myhuaweicloud.com"
    static let date = "20240102T030405Z"
    static let project = "0123456789abcdef0123456789abcdef"
    static let v1Body = #"{"job_desc":"nightly retrain","config":{"worker_server_num":1,"app_url":"/bucket/app/","boot_file_url":"/bucket/app/boot.py","parameter":[{"label":"learning_rate","value":"0.01"}],"data_url":"/bucket/data/","spec_id":1,"engine_id":1,"train_url":"/bucket/out/","log_url":"/bucket/log/","pre_version_id":20}}"#

    /// A vector as the SDK sent it: method, path with query, headers, body.
    struct Vector: CustomTestStringConvertible {
        var name: String
        var method: HTTPMethod
        var pathAndQuery: String
        var headers: [(String, String)]
        var body: String?
        var testDescription: String { name }
    }

    static func standardHeaders(signature: String, signed: String = "content-type;host;x-project-id;x-sdk-date") -> [(String, String)] {
        [
            ("Content-Type", "application/json"), ("Host", host), ("X-Sdk-Date", date), ("X-Project-Id", project),
            ("Authorization", "SDK-HMAC-SHA256 Access=\(accessKey), SignedHeaders=\(signed), Signature=\(signature)"),
        ]
    }

    static let sdkVectors: [Vector] = [
        Vector(name: "V1 create", method: .POST, pathAndQuery: "/v1/\(project)/training-jobs/10/versions",
               headers: standardHeaders(signature: "2672b2a8450a0067b3badd33e9d31946150e49fba6a56d641f82dc699557a3e4"), body: v1Body),
        Vector(name: "V2 list versions", method: .GET, pathAndQuery: "/v1/\(project)/training-jobs/10/versions?page=1&per_page=5",
               headers: standardHeaders(signature: "36e47fb7849154311fda38e9f94264593f18a6379648ba4453cb650778764b0c")),
        Vector(name: "V3 show, minimal headers", method: .GET, pathAndQuery: "/v1/\(project)/training-jobs/10/versions/21",
               headers: [("Host", host), ("X-Sdk-Date", date),
                         ("Authorization", "SDK-HMAC-SHA256 Access=\(accessKey), SignedHeaders=host;x-sdk-date, Signature=8d46e2f9edfc2f9eeb88dbc67f1fd1d932cd0d57d4cb8bfa7082b7cd9ebb0e6f")]),
        Vector(name: "V4 list jobs, encoded query", method: .GET,
               pathAndQuery: "/v1/\(project)/training-jobs?order=asc&page=1&per_page=10&search_content=my%20job~1%2F%CE%B1&sortBy=job_name&status=7",
               headers: standardHeaders(signature: "da60b4e64778f50124eccc5652e13086890da1d96beec60d1f8a3db4a2f5a2c7")),
        Vector(name: "V5 stop, empty body", method: .POST, pathAndQuery: "/v1/\(project)/training-jobs/10/versions/21/stop",
               headers: standardHeaders(signature: "f2efc3a9884299657f6b2d8165a687d5598d5a1e103302f4b66464894cb851b1")),
        Vector(name: "V6 user agent signed, underscore header not", method: .GET, pathAndQuery: "/v1/\(project)/training-jobs/10/versions/21",
               headers: [("Host", host), ("X-Sdk-Date", date), ("X-Project-Id", project), ("User-Agent", "test-agent/1.0"),
                         ("X_Custom_Unsigned", "dropped-from-signature"),
                         ("Authorization", "SDK-HMAC-SHA256 Access=\(accessKey), SignedHeaders=host;user-agent;x-project-id;x-sdk-date, Signature=cdeff9a8dd95564e38e58e9a805bbe3d1d085a4f48e83a2ae0f13ed977d705ca")]),
    ]

    /// Accepts the vectors' 2024 date: the skew check has its own test.
    static func vectorConfiguration(secretKey: String = secretKey, skew: Duration = .seconds(100 * 365 * 86_400)) -> SimulatorConfiguration {
        SimulatorConfiguration(
            accessKeys: [accessKey: secretKey],
            scenario: Scenario(jobs: [.init(jobID: 10, jobName: "TestModelArtsJob", versions: [20, 21])]),
            signatureClockSkew: skew
        )
    }

    static func send(_ http: TestHTTP, _ vector: Vector, body: String? = nil, replacing: [String: String] = [:]) async throws -> TestHTTP.Reply {
        let headers = vector.headers.map { (name, value) in (name, replacing[name] ?? value) }
        return try await http.send(vector.method, vector.pathAndQuery, headers: headers, body: body ?? vector.body)
    }

    @Test(arguments: sdkVectors)
    func acceptsWhatTheRealSDKSigned(vector: Vector) async throws {
        try await ModelArtsSimulator.withRunning(Self.vectorConfiguration()) { _, port in
            let reply = try await Self.send(TestHTTP(port: port), vector)
            #expect(reply.status != 401, "\(reply.bodyText)")
            #expect(reply.errorCode?.hasPrefix("APIGW.03") != true)
            if vector.name.hasPrefix("V1") {
                #expect(reply.status == 200)
                #expect(reply.json?["version_id"] == .integer(22))
            }
        }
    }

    @Test func rejectsATamperedBodyAndEchoesTheCanonicalRequest() async throws {
        try await ModelArtsSimulator.withRunning(Self.vectorConfiguration()) { _, port in
            let http = TestHTTP(port: port)
            let tampered = Self.v1Body.replacingOccurrences(of: "\"worker_server_num\":1", with: "\"worker_server_num\":2")
            let reply = try await Self.send(http, Self.sdkVectors[0], body: tampered)
            #expect(reply.status == 401)
            #expect(reply.errorCode == "APIGW.0301")
            let message = reply.json?["error_msg"]?.stringValue ?? ""
            #expect(message.hasPrefix("Incorrect IAM authentication information: verify aksk signature fail"))
            #expect(message.contains("canonicalRequest:POST|/v1/\(Self.project)/training-jobs/10/versions/||content-type:application/json|host:\(Self.host)|"))
            #expect(message.contains("|content-type;host;x-project-id;x-sdk-date|"))
            let ledger = try await http.ledger()
            #expect(ledger["versions"]?.arrayValue?.isEmpty == true)
            #expect(ledger["requests"]?["rejected_auth"] == .integer(1))
        }
    }

    @Test func rejectsAWrongSecretKey() async throws {
        try await ModelArtsSimulator.withRunning(Self.vectorConfiguration(secretKey: "another-secret")) { _, port in
            let reply = try await Self.send(TestHTTP(port: port), Self.sdkVectors[1])
            #expect(reply.status == 401)
            #expect(reply.errorCode == "APIGW.0301")
        }
    }

    @Test func rejectsAnUnknownAccessKey() async throws {
        var configuration = Self.vectorConfiguration()
        configuration.accessKeys = ["SOMEONE-ELSE": Self.secretKey]
        try await ModelArtsSimulator.withRunning(configuration) { _, port in
            let reply = try await Self.send(TestHTTP(port: port), Self.sdkVectors[1])
            #expect(reply.status == 401)
            #expect(reply.json?["error_msg"] == .string("Incorrect IAM authentication information: Get secretKey failed"))
        }
    }

    @Test func rejectsADateMoreThanFifteenMinutesOff() async throws {
        try await ModelArtsSimulator.withRunning(Self.vectorConfiguration(skew: .seconds(15 * 60))) { _, port in
            let reply = try await Self.send(TestHTTP(port: port), Self.sdkVectors[1])
            #expect(reply.status == 401)
            #expect(reply.errorCode == "APIGW.0301")
            #expect(reply.json?["error_msg"]?.stringValue?.contains("signature expired, signature time:\(Self.date)") == true)
        }
    }

    @Test func rejectsAHeaderLeftOutOfSignedHeaders() async throws {
        try await ModelArtsSimulator.withRunning(Self.vectorConfiguration()) { _, port in
            // The same signature, but the client claims it did not sign X-Project-Id.
            let vector = Self.sdkVectors[1]
            let authorization = try #require(vector.headers.first { $0.0 == "Authorization" }?.1)
                .replacingOccurrences(of: "SignedHeaders=content-type;host;x-project-id;x-sdk-date", with: "SignedHeaders=content-type;host;x-sdk-date")
            let reply = try await Self.send(TestHTTP(port: port), vector, replacing: ["Authorization": authorization])
            #expect(reply.status == 401)
            #expect(reply.json?["error_msg"]?.stringValue?.contains("|content-type;host;x-sdk-date|") == true)
        }
    }

    @Test func rejectsASignatureThatDoesNotCoverTheHost() async throws {
        try await ModelArtsSimulator.withRunning(Self.vectorConfiguration()) { _, port in
            let reply = try await Self.send(TestHTTP(port: port), Self.sdkVectors[2], replacing: [
                "Authorization": "SDK-HMAC-SHA256 Access=\(Self.accessKey), SignedHeaders=x-sdk-date, Signature=00",
            ])
            #expect(reply.status == 401)
            #expect(reply.errorCode == "APIGW.0301")
        }
    }

    @Test func rejectsMissingCredentialsAndMalformedAuthorization() async throws {
        try await ModelArtsSimulator.withRunning(Self.vectorConfiguration()) { _, port in
            let http = TestHTTP(port: port)
            let none = try await http.show(version: 20)
            #expect(none.status == 401)
            #expect(none.errorCode == "APIGW.0301")
            let stale = try await http.send(.GET, TestHTTP.versionsPath(), headers: [
                ("Authorization", "SDK-HMAC-SHA256 Credential=AK/20150907//ec2/sdk_request, SignedHeaders=host, Signature=00"),
            ])
            #expect(stale.status == 401)
            #expect(stale.errorCode == "APIGW.0301")
        }
    }

    @Test func acceptsOurOwnSignerOnTheLivePort() async throws {
        try await ModelArtsSimulator.withRunning(.init(accessKeys: [Self.accessKey: Self.secretKey])) { _, port in
            let signer = AKSKSigner(accessKey: Self.accessKey, secretKey: Self.secretKey)
            let body = Data(TestHTTP.sampleBody().utf8)
            let path = TestHTTP.versionsPath()
            let signed = signer.sign(
                method: "POST", path: path, query: [],
                headers: [.init(name: "Content-Type", value: "application/json"), .init(name: "X-Project-Id", value: Self.project)],
                body: body, host: "127.0.0.1:\(port)")
            let reply = try await TestHTTP(port: port).send(
                .POST, path, headers: signed.headers.map { ($0.name, $0.value) }, body: TestHTTP.sampleBody())
            #expect(reply.status == 200, "\(reply.bodyText)")

            let query: [(name: String, value: String)] = [("per_page", "5"), ("page", "1")]
            let signedList = signer.sign(method: "GET", path: path, query: query, headers: [], body: Data(), host: "127.0.0.1:\(port)")
            let listed = try await TestHTTP(port: port).send(
                .GET, path + "?" + signedList.canonicalQuery, headers: signedList.headers.map { ($0.name, $0.value) })
            #expect(listed.status == 200, "\(listed.bodyText)")
        }
    }
}
