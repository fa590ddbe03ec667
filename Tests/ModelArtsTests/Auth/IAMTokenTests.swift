import Foundation
import JSONTree
import NIOHTTP1
import Testing
@testable import ModelArts

@Suite struct IAMTokenRequestTests {
    static let credentials = IAMPasswordCredentials(domain: "acme", user: "alice", password: "s3cr3t-pw", project: .name("cn-north-4"))

    @Test func bodyFollowsTheDocumentedShape() throws {
        let body = try JSONValue.parse(IAMTokenRequest.body(Self.credentials))
        #expect(body == .object(["auth": .object([
            "identity": .object([
                "methods": .array([.string("password")]),
                "password": .object(["user": .object([
                    "name": .string("alice"), "password": .string("s3cr3t-pw"), "domain": .object(["name": .string("acme")]),
                ])]),
            ]),
            "scope": .object(["project": .object(["name": .string("cn-north-4")])]),
        ])]))
        let byID = IAMPasswordCredentials(domain: "acme", user: "alice", password: "p", project: .id("0123"))
        #expect(try JSONValue.parse(IAMTokenRequest.body(byID))["auth"]?["scope"] == .object(["project": .object(["id": .string("0123")])]))
    }

    @Test func requestGoesToTheTokensPath() throws {
        let configuration = IAMTokenProvider.Configuration(
            endpoint: try #require(URL(string: "https://iam.cn-north-4.myhuaweicloud.com/")), credentials: Self.credentials)
        let request = TokenIssuer.request(configuration)
        #expect(request.url == "https://iam.cn-north-4.myhuaweicloud.com/v3/auth/tokens?nocatalog=true")
        #expect(request.method == .POST)
        #expect(request.headers.first(name: "Content-Type") == "application/json;charset=utf8")
    }

    @Test func tokenAndExpiryFromTheAnswer() throws {
        let response = HTTPTransport.Response(
            status: 201, headers: HTTPHeaders([("X-Subject-Token", "MIIabc")]),
            body: Data(#"{"token": {"expires_at": "2015-11-09T01:42:57.527363Z", "issued_at": "2015-11-08T01:42:57.527363Z", "methods": ["password"]}}"#.utf8),
            bodyTruncated: false)
        let token = try ResponseInterpreter.interpret(response, operation: .issueToken, decodeResponse: IAMTokenRequest.token(from:))
        #expect(token.value == "MIIabc")
        #expect(abs(token.expiresAt.timeIntervalSince1970 - 1_447_033_377.527363) < 0.001)
        #expect(!token.description.contains("MIIabc"))
        var dumped = ""
        dump(token, to: &dumped)
        #expect(!dumped.contains("MIIabc"))
    }

    @Test func missingTokenOrExpiryIsUndecodable() {
        let noHeader = HTTPTransport.Response(status: 201, headers: HTTPHeaders(), body: Data(#"{"token": {"expires_at": "2015-11-09T01:42:57Z"}}"#.utf8), bodyTruncated: false)
        #expect(throws: ModelArtsError.undecodableResponse(operation: .issueToken, status: 201, message: "cannot decode IAM token response: missing X-Subject-Token header", requestID: nil)) {
            try ResponseInterpreter.interpret(noHeader, operation: .issueToken, decodeResponse: IAMTokenRequest.token(from:))
        }
        let badDate = HTTPTransport.Response(status: 201, headers: HTTPHeaders([("X-Subject-Token", "t")]), body: Data(#"{"token": {"expires_at": "tomorrow"}}"#.utf8), bodyTruncated: false)
        #expect(throws: ModelArtsError.self) {
            try ResponseInterpreter.interpret(badDate, operation: .issueToken, decodeResponse: IAMTokenRequest.token(from:))
        }
    }

    @Test func wrongPasswordIsPermanent() {
        let response = HTTPTransport.Response(
            status: 401, headers: HTTPHeaders(),
            body: Data(#"{"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}}"#.utf8), bodyTruncated: false)
        do {
            _ = try ResponseInterpreter.interpret(response, operation: .issueToken, decodeResponse: IAMTokenRequest.token(from:))
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "The username or password is wrong.")
            #expect(error.afterTokenRefresh().errorClass == .permanent)
        }
    }

    @Test func timestamps() throws {
        #expect(IAMTokenRequest.parseTimestamp("2015-11-09T01:42:57Z")?.timeIntervalSince1970 == 1_447_033_377)
        #expect(IAMTokenRequest.parseTimestamp("2015-11-09T09:42:57.5+08:00")?.timeIntervalSince1970 == 1_447_033_377.5)
        #expect(IAMTokenRequest.parseTimestamp("2015-11-09T01:42:57") == nil)
        #expect(IAMTokenRequest.parseTimestamp("2015-11-09T01:42:57.Z") == nil)
        #expect(IAMTokenRequest.parseTimestamp("2015-02-30T01:42:57Z") == nil)
        #expect(IAMTokenRequest.parseTimestamp("") == nil)
    }

    @Test func credentialsNeverPrintThePassword() {
        let configuration = IAMTokenProvider.Configuration(
            endpoint: URL(fileURLWithPath: "/"), credentials: Self.credentials)
        var dumped = ""
        dump(Self.credentials, to: &dumped)
        for text in ["\(Self.credentials)", String(reflecting: Self.credentials), dumped, "\(configuration)"] {
            #expect(!text.contains("s3cr3t-pw"))
        }
    }
}

/// Against a port where nothing listens: a real refused connection, no server involved.
@Suite struct RefusedConnectionTests {
    static let closedEndpoint = "http://127.0.0.1:1"

    @Test func concurrentCallersShareOneTokenRequest() async throws {
        let provider = IAMTokenProvider(configuration: .init(
            endpoint: try #require(URL(string: Self.closedEndpoint)), credentials: IAMTokenRequestTests.credentials,
            connectTimeout: .seconds(2), requestTimeout: .seconds(5)))
        async let first = Result { () async throws(ModelArtsError) in try await provider.token() }
        async let second = Result { () async throws(ModelArtsError) in try await provider.token() }
        let results = await [first, second]
        for result in results {
            guard case .failure(let error) = result else { Issue.record("expected a failure"); continue }
            #expect(error.kind == .transportNotSent)
            #expect(error.operation == .issueToken)
            #expect(!error.description.contains("s3cr3t-pw"))
        }
        #expect(await provider.tokenRequestCount == 1)
        await provider.shutdown()
        await provider.shutdown()
        await #expect(throws: ModelArtsError.configuration(operation: .issueToken, message: "token provider is shut down")) {
            try await provider.token()
        }
    }

    @Test func refusedConnectIsNotSentAndTransientEvenForACreate() async throws {
        let client = try ModelArtsClient(configuration: .init(
            endpoint: try #require(URL(string: Self.closedEndpoint)), projectID: "0123456789abcdef0123456789abcdef",
            authentication: .accessKey(AKSKSigner(accessKey: "AK", secretKey: "SK")), connectTimeout: .seconds(2),
            requestTimeout: .seconds(5)))
        let request = CreateVersionRequest(jobDesc: nil, config: TrainingConfig(workerServerNum: 1, modelID: 1, trainURL: "/t/", preVersionID: 1))
        do {
            _ = try await client.createVersion(jobID: 10, request: request)
            Issue.record("expected a failure")
        } catch {
            #expect(error.kind == .transportNotSent)
            #expect(error.errorClass == .transient)
        }
        #expect(await client.limiter.callsInFlight == 0)
        try await client.shutdown()
    }
}

extension Result where Failure == ModelArtsError {
    init(catching body: () async throws(ModelArtsError) -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
