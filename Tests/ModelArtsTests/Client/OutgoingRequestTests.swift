import Foundation
import NIOHTTP1
import Testing
@testable import ModelArts

@Suite struct OutgoingRequestTests {
    static let project = "0123456789abcdef0123456789abcdef"
    static let signer = AKSKSigner(accessKey: "AKIDEXAMPLE0000000001", secretKey: "SKexampleSecretKey0000000000000000000001")
    static let date = Date(timeIntervalSince1970: 1_704_164_645)  // 20240102T030405Z

    static func builder(_ endpoint: String = "https://modelarts.cn-north-4.myhuaweicloud.com") throws -> OutgoingRequestBuilder {
        OutgoingRequestBuilder(endpoint: try #require(URL(string: endpoint)), projectID: project, userAgent: "test-agent/1.0")
    }

    @Test func pathsHaveNoTrailingSlashAndQueriesAreCanonical() throws {
        let builder = try Self.builder()
        let base = "https://modelarts.cn-north-4.myhuaweicloud.com/v1/\(Self.project)"
        let cases: [(RequestTarget, String, HTTPMethod)] = [
            (.createVersion(jobID: 10), base + "/training-jobs/10/versions", .POST),
            (.showVersion(jobID: 10, versionID: 21), base + "/training-jobs/10/versions/21", .GET),
            (.listVersions(jobID: 10, page: 0, perPage: 10), base + "/training-jobs/10/versions", .GET),
            (.listVersions(jobID: 10, page: 2, perPage: 1000), base + "/training-jobs/10/versions?page=2&per_page=1000", .GET),
            (.stopVersion(jobID: 10, versionID: 21), base + "/training-jobs/10/versions/21/stop", .POST),
            (.listJobs(JobListQuery()), base + "/training-jobs", .GET),
            (.listJobs(JobListQuery(status: 7, perPage: 10, page: 1, sortBy: .jobName, order: .ascending, searchContent: "my job~1/α")),
             base + "/training-jobs?order=asc&page=1&per_page=10&search_content=my%20job~1%2F%CE%B1&sortBy=job_name&status=7", .GET),
        ]
        for (target, url, method) in cases {
            let request = builder.build(target, body: Data(), credential: .signer(Self.signer), date: Self.date)
            #expect(request.url == url)
            #expect(request.method == method)
        }
    }

    /// The request we send for V4 carries exactly the reference's signature.
    @Test func signedListJobsMatchesVectorV4() throws {
        let builder = OutgoingRequestBuilder(
            endpoint: try #require(URL(string: "https://modelarts.cn-north-4.myhuaweicloud.com")), projectID: Self.project,
            userAgent: "test-agent/1.0")
        let target = RequestTarget.listJobs(JobListQuery(status: 7, perPage: 10, page: 1, sortBy: .jobName, order: .ascending, searchContent: "my job~1/α"))
        let request = builder.build(target, body: Data(), credential: .signer(Self.signer), date: Self.date)
        // Our request also signs User-Agent, so recompute the expectation with the canonicalizer the
        // vectors verified, from what is actually sent.
        let sent = request.headers
        #expect(sent.first(name: "Host") == "modelarts.cn-north-4.myhuaweicloud.com")
        #expect(sent.first(name: "X-Sdk-Date") == "20240102T030405Z")
        #expect(sent.first(name: "X-Project-Id") == Self.project)
        #expect(sent.first(name: "Content-Type") == "application/json")
        let authorization = try AuthorizationHeader.parse(try #require(sent.first(name: "Authorization"))).get()
        #expect(authorization.signedHeaders == ["content-type", "host", "user-agent", "x-project-id", "x-sdk-date"])
        let path = String(request.url.dropFirst("https://modelarts.cn-north-4.myhuaweicloud.com".count).prefix { $0 != "?" })
        let query = String(request.url.split(separator: "?").last ?? "")
        let canonical = SigningCanonicalizer.canonicalRequest(
            method: "GET", path: path, query: SigningCanonicalizer.parseQuery(query),
            headers: sent.map { ($0.name, $0.value) }, signedHeaders: authorization.signedHeaders,
            payloadHash: SigningCanonicalizer.emptyPayloadHash)
        let expected = SigningCanonicalizer.signature(
            secretKey: "SKexampleSecretKey0000000000000000000001",
            stringToSign: SigningCanonicalizer.stringToSign(date: "20240102T030405Z", canonicalRequest: canonical))
        #expect(authorization.signature == expected)
        // Without the User-Agent, the same request is the reference's V4 exactly.
        let v4 = Self.signer.sign(
            method: "GET", path: path, query: SigningCanonicalizer.parseQuery(query),
            headers: sent.filter { !["user-agent", "authorization"].contains($0.name.lowercased()) }.map { .init(name: $0.name, value: $0.value) },
            body: Data(), host: "modelarts.cn-north-4.myhuaweicloud.com")
        #expect(v4.signature == "da60b4e64778f50124eccc5652e13086890da1d96beec60d1f8a3db4a2f5a2c7")
    }

    @Test func createBodyIsSignedAsSent() throws {
        let builder = try Self.builder("http://127.0.0.1:8080/")
        let body = Data(#"{"job_desc":"x","config":{}}"#.utf8)
        let request = builder.build(.createVersion(jobID: 10), body: body, credential: .signer(Self.signer), date: Self.date)
        #expect(request.url == "http://127.0.0.1:8080/v1/\(Self.project)/training-jobs/10/versions")
        #expect(request.headers.first(name: "Host") == "127.0.0.1:8080")
        #expect(request.body == body)
        let authorization = try AuthorizationHeader.parse(try #require(request.headers.first(name: "Authorization"))).get()
        let canonical = SigningCanonicalizer.canonicalRequest(
            method: "POST", path: "/v1/\(Self.project)/training-jobs/10/versions", query: [],
            headers: request.headers.map { ($0.name, $0.value) }, signedHeaders: authorization.signedHeaders,
            payloadHash: SigningCanonicalizer.payloadHash(body))
        #expect(authorization.signature == SigningCanonicalizer.signature(
            secretKey: "SKexampleSecretKey0000000000000000000001",
            stringToSign: SigningCanonicalizer.stringToSign(date: "20240102T030405Z", canonicalRequest: canonical)))
    }

    @Test func tokenRequestsCarryTheTokenAndNoSignature() throws {
        let builder = try Self.builder("https://gateway.example.com:8443/prefix/")
        let request = builder.build(.listVersions(jobID: 5, page: 1, perPage: 5), body: Data(), credential: .token("tok"), date: Self.date)
        #expect(request.url == "https://gateway.example.com:8443/prefix/v1/\(Self.project)/training-jobs/5/versions?page=1&per_page=5")
        #expect(request.headers.first(name: "X-Auth-Token") == "tok")
        #expect(request.headers.first(name: "Authorization") == nil)
        #expect(request.headers.first(name: "X-Sdk-Date") == nil)
        #expect(request.headers.first(name: "Host") == "gateway.example.com:8443")
    }

    @Test func projectOverrideChangesPathAndHeader() throws {
        let other = "fedcba9876543210fedcba9876543210"
        let request = try Self.builder().build(.showVersion(jobID: 1, versionID: 2), projectOverride: other, body: Data(),
                                               credential: .signer(Self.signer), date: Self.date)
        #expect(request.url.hasSuffix("/v1/\(other)/training-jobs/1/versions/2"))
        #expect(request.headers.first(name: "X-Project-Id") == other)
    }

    @Test func proxyFromURL() throws {
        #expect(ModelArtsClientConfiguration.Proxy(url: try #require(URL(string: "http://proxy.example.com:3128"))) == .init(host: "proxy.example.com", port: 3128))
        #expect(ModelArtsClientConfiguration.Proxy(url: try #require(URL(string: "https://proxy.example.com"))) == .init(host: "proxy.example.com", port: 443))
        #expect(ModelArtsClientConfiguration.Proxy(url: try #require(URL(string: "socks5://proxy:1080"))) == nil)
        #expect(ModelArtsClientConfiguration.Proxy(url: try #require(URL(string: "http://proxy:3128/path"))) == nil)
    }

    @Test func hostHeaderFollowsTheEndpointURL() throws {
        #expect(OutgoingRequestBuilder.hostHeader(for: try #require(URL(string: "https://a.example.com"))) == "a.example.com")
        #expect(OutgoingRequestBuilder.hostHeader(for: try #require(URL(string: "https://a.example.com:443"))) == "a.example.com:443")
        #expect(OutgoingRequestBuilder.hostHeader(for: try #require(URL(string: "http://[::1]:9000"))) == "[::1]:9000")
    }

    @Test func jobListQueryRanges() {
        #expect(JobListQuery(perPage: 0).problems() == ["per_page must be 1-1000, got 0"])
        #expect(JobListQuery(page: 65536).problems() == ["page must be 1-65535, got 65536"])
        #expect(JobListQuery(searchContent: String(repeating: "x", count: 65)).problems().count == 1)
        #expect(JobListQuery(status: 3, perPage: 1000, page: 1).problems().isEmpty)
    }

    @Test func configurationProblemsAreNamed() throws {
        let good = ModelArtsClientConfiguration(
            endpoint: try #require(URL(string: "https://modelarts.cn-north-4.myhuaweicloud.com")), projectID: Self.project,
            authentication: .accessKey(Self.signer))
        #expect(good.problems().isEmpty)
        var bad = good
        bad.endpoint = try #require(URL(string: "ftp://x"))
        bad.projectID = ""
        bad.rate = 0
        bad.burst = 0
        bad.concurrency = 0
        bad.caFile = "/nonexistent/ca.pem"
        bad.proxy = .init(host: "", port: 0)
        let problems = bad.problems()
        for field in ["endpoint", "project_id", "rate", "burst", "concurrency", "ca_file", "proxy"] {
            #expect(problems.contains { $0.hasPrefix(field + ":") }, "\(field)")
        }
        #expect(throws: ModelArtsError.self) { try ModelArtsClient(configuration: bad) }
        #expect(!"\(good.authentication)".contains("SKexample"))
        #expect(!"\(good)".contains("SKexample"))
        #expect(!String(reflecting: good).contains("SKexample"))
        var dumped = ""
        dump(good, to: &dumped)
        #expect(!dumped.contains("SKexample"))
    }
}

@Suite struct ResponseInterpreterTests {
    static func response(_ status: Int, _ body: String, headers: [(String, String)] = []) -> HTTPTransport.Response {
        HTTPTransport.Response(status: status, headers: HTTPHeaders(headers), body: Data(body.utf8), bodyTruncated: false)
    }

    @Test func successDecodes() throws {
        let value = try ResponseInterpreter.interpret(
            Self.response(200, #"{"is_success": true, "version_id": 21, "status": 1}"#), operation: .createVersion,
            decode: CreateVersionResponse.decode)
        #expect(value.versionID == 21)
    }

    @Test func v1FailureWithStatus() {
        do {
            _ = try ResponseInterpreter.interpret(
                Self.response(400, #"{"is_success": false, "error_message": "bad", "error_code": "ModelArts.0104"}"#, headers: [("X-Request-Id", "rid")]),
                operation: .createVersion, decode: CreateVersionResponse.decode)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .http)
            #expect(error.httpStatus == 400)
            #expect(error.errorCode == "ModelArts.0104")
            #expect(error.message == "bad")
            #expect(error.requestID == "rid")
            #expect(error.errorClass == .permanent)
        }
    }

    @Test func gatewayThrottleWithRetryAfter() {
        do {
            _ = try ResponseInterpreter.interpret(
                Self.response(429, #"{"error_msg": "The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 second", "error_code": "APIGW.0308", "request_id": "body-rid"}"#,
                              headers: [("Retry-After", "3")]),
                operation: .showVersion, decode: VersionDetail.decode)
            Issue.record("expected an error")
        } catch {
            #expect(error.requestID == "body-rid")
            #expect(error.retryAfter == .seconds(3))
            #expect(error.errorClass == .throttled)
            #expect(error.retryHint.throttleWindow == .seconds(1))
            #expect(error.retryHint.throttleLimit == 5)
            #expect(error.retryHint.statedRate == 5)
        }
    }

    @Test func successStatusWithFailureBodyIsAFailure() {
        #expect(throws: ModelArtsError.http(operation: .stopVersion, status: 200, errorCode: "ModelArts.0105", message: "Error string", requestID: nil)) {
            try ResponseInterpreter.interpret(
                Self.response(200, #"{"is_success": false, "error_msg": "Error string", "error_code": "ModelArts.0105"}"#),
                operation: .stopVersion, decode: { _ throws(WireDecodingError) in () })
        }
    }

    @Test func unreadableSuccessIsUndecodable() {
        do {
            _ = try ResponseInterpreter.interpret(Self.response(200, #"{"is_success": true, "job_id": 10}"#), operation: .createVersion,
                                                  decode: CreateVersionResponse.decode)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .undecodableResponse)
            #expect(error.errorClass == .unknownOutcome)
            #expect(error.message == "cannot decode create version response: missing version_id")
        }
    }

    @Test func htmlErrorPageKeepsAnExcerpt() {
        do {
            _ = try ResponseInterpreter.interpret(Self.response(502, "<html>\n<body>Bad Gateway</body></html>"), operation: .createVersion,
                                                  decode: CreateVersionResponse.decode)
            Issue.record("expected an error")
        } catch {
            #expect(error.errorCode == nil)
            #expect(error.message == "HTTP 502 Bad Gateway: <html> <body>Bad Gateway</body></html>")
            #expect(error.errorClass == .unknownOutcome)
        }
    }

    @Test func truncatedBodies() {
        let truncated = HTTPTransport.Response(status: 200, headers: HTTPHeaders(), body: Data("{".utf8), bodyTruncated: true)
        #expect(throws: ModelArtsError.undecodableResponse(operation: .listVersions, status: 200, message: "response body larger than the accepted maximum", requestID: nil)) {
            try ResponseInterpreter.interpret(truncated, operation: .listVersions, decode: VersionList.decode)
        }
    }

    @Test func retryAfterValues() {
        #expect(ResponseInterpreter.retryAfter("2") == .seconds(2))
        #expect(ResponseInterpreter.retryAfter(" 0 ") == .zero)
        #expect(ResponseInterpreter.retryAfter("1.5") == .milliseconds(1500))
        #expect(ResponseInterpreter.retryAfter("-1") == nil)
        #expect(ResponseInterpreter.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(ResponseInterpreter.retryAfter(nil) == nil)
    }
}
