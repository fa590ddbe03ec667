import Testing
@testable import ModelArts

@Suite struct ErrorClassificationTests {
    struct Row: Sendable, CustomStringConvertible {
        var status: Int
        var code: String
        var expected: ErrorClass
        var description: String { "\(status) \(code) -> \(expected)" }
    }

    /// Every row of reference §4.3 and §4.4, as (HTTP status, code, class), for a read (`showVersion`).
    static let table: [Row] = [
        // §4.3 authentication / authorization / project
        Row(status: 401, code: "ModelArts.0201", expected: .permanent),
        Row(status: 401, code: "ModelArts.0202", expected: .tokenRefresh),
        Row(status: 401, code: "ModelArts.0203", expected: .tokenRefresh),
        Row(status: 403, code: "ModelArts.0203", expected: .tokenRefresh),
        Row(status: 401, code: "ModelArts.0204", expected: .tokenRefresh),
        Row(status: 400, code: "ModelArts.0204", expected: .permanent),
        Row(status: 401, code: "ModelArts.0205", expected: .permanent),
        Row(status: 401, code: "ModelArts.0206", expected: .permanent),
        Row(status: 401, code: "ModelArts.0207", expected: .permanent),
        Row(status: 401, code: "ModelArts.0208", expected: .permanent),
        Row(status: 401, code: "ModelArts.0212", expected: .permanent),
        Row(status: 403, code: "ModelArts.0206", expected: .permanent),
        Row(status: 403, code: "ModelArts.0210", expected: .permanent),
        Row(status: 400, code: "ModelArts.0210", expected: .permanent),
        Row(status: 403, code: "ModelArts.0108", expected: .permanent),
        Row(status: 401, code: "ModelArts.0112", expected: .permanent),
        Row(status: 403, code: "ModelArts.0112", expected: .permanent),
        Row(status: 403, code: "ModelArts.2785", expected: .permanent),
        Row(status: 401, code: "ModelArts.4127", expected: .tokenRefresh),
        Row(status: 401, code: "ModelArts.6201", expected: .permanent),
        Row(status: 401, code: "ModelArts.6203", expected: .permanent),
        Row(status: 403, code: "ModelArts.4116", expected: .permanent),
        Row(status: 403, code: "ModelArts.4118", expected: .permanent),
        Row(status: 403, code: "ModelArts.5017", expected: .permanent),
        // §4.3 parameters, state, quota
        Row(status: 400, code: "ModelArts.0101", expected: .permanent),
        Row(status: 400, code: "ModelArts.0104", expected: .permanent),
        Row(status: 400, code: "ModelArts.0107", expected: .permanent),
        Row(status: 400, code: "ModelArts.0102", expected: .permanent),
        Row(status: 404, code: "ModelArts.0015", expected: .permanent),
        Row(status: 100, code: "ModelArts.0116", expected: .slow),
        Row(status: 400, code: "ModelArts.0116", expected: .slow),
        Row(status: 400, code: "ModelArts.0118", expected: .slow),
        Row(status: 400, code: "ModelArts.2815", expected: .slow),
        Row(status: 400, code: "ModelArts.0806", expected: .permanent),
        Row(status: 400, code: "ModelArts.0901", expected: .permanent),
        Row(status: 400, code: "ModelArts.2605", expected: .slow),
        Row(status: 400, code: "ModelArts.2606", expected: .permanent),
        Row(status: 400, code: "ModelArts.2607", expected: .permanent),
        Row(status: 400, code: "ModelArts.2608", expected: .permanent),
        Row(status: 400, code: "ModelArts.2775", expected: .permanent),
        Row(status: 400, code: "ModelArts.2781", expected: .permanent),
        Row(status: 400, code: "ModelArts.2763", expected: .permanent),
        Row(status: 400, code: "ModelArts.2793", expected: .permanent),
        Row(status: 400, code: "ModelArts.2782", expected: .permanent),
        Row(status: 400, code: "ModelArts.2783", expected: .permanent),
        Row(status: 400, code: "ModelArts.2787", expected: .permanent),
        Row(status: 400, code: "ModelArts.2788", expected: .permanent),
        Row(status: 400, code: "ModelArts.3952", expected: .slow),
        Row(status: 409, code: "ModelArts.2796", expected: .permanent),
        Row(status: 409, code: "ModelArts.2878", expected: .transient),
        Row(status: 409, code: "ModelArts.5044", expected: .transient),
        Row(status: 413, code: "ModelArts.4104", expected: .permanent),
        // §4.3 throttling, gateway, internal
        Row(status: 429, code: "ModelArts.2799", expected: .throttled),
        Row(status: 429, code: "ModelArts.4206", expected: .throttled),
        Row(status: 429, code: "ModelArts.6101", expected: .throttled),
        Row(status: 429, code: "ModelArts.4395", expected: .throttled),
        Row(status: 408, code: "ModelArts.4205", expected: .transient),
        Row(status: 408, code: "ModelArts.6100", expected: .transient),
        Row(status: 500, code: "ModelArts.0010", expected: .transient),
        Row(status: 500, code: "ModelArts.5039", expected: .transient),
        Row(status: 500, code: "ModelArts.6102", expected: .transient),
        Row(status: 500, code: "ModelArts.6200", expected: .slow),
        Row(status: 500, code: "ModelArts.2950", expected: .transient),
        Row(status: 500, code: "ModelArts.2951", expected: .transient),
        Row(status: 500, code: "ModelArts.2952", expected: .transient),
        Row(status: 500, code: "ModelArts.2953", expected: .transient),
        Row(status: 500, code: "ModelArts.2954", expected: .transient),
        Row(status: 500, code: "ModelArts.2955", expected: .transient),
        Row(status: 500, code: "ModelArts.2956", expected: .transient),
        Row(status: 500, code: "ModelArts.2957", expected: .transient),
        Row(status: 500, code: "ModelArts.2958", expected: .transient),
        Row(status: 500, code: "ModelArts.2959", expected: .transient),
        Row(status: 500, code: "ModelArts.4505", expected: .transient),
        Row(status: 503, code: "ModelArts.4700", expected: .transient),
        Row(status: 503, code: "ModelArts.4302", expected: .transient),
        Row(status: 504, code: "ModelArts.4503", expected: .transient),
        Row(status: 204, code: "ModelArts.2776", expected: .transient),
        Row(status: 204, code: "ModelArts.2777", expected: .transient),
        Row(status: 404, code: "ModelArts.4204", expected: .permanent),
        // Errata A13: one code, another meaning under another status; the pair decides.
        Row(status: 400, code: "ModelArts.4205", expected: .permanent),
        Row(status: 400, code: "ModelArts.4700", expected: .permanent),
        Row(status: 400, code: "ModelArts.4503", expected: .permanent),
        Row(status: 500, code: "ModelArts.4503", expected: .transient),
        Row(status: 401, code: "ModelArts.4505", expected: .permanent),
        Row(status: 400, code: "ModelArts.4204", expected: .permanent),
        Row(status: 500, code: "ModelArts.4204", expected: .transient),
        Row(status: 401, code: "ModelArts.0207", expected: .permanent),
        Row(status: 400, code: "ModelArts.0210", expected: .permanent),
        Row(status: 401, code: "ModelArts.0210", expected: .permanent),
        Row(status: 403, code: "ModelArts.0210", expected: .permanent),
        Row(status: 403, code: "ModelArts.0206", expected: .permanent),
        Row(status: 400, code: "ModelArts.0204", expected: .permanent),
        Row(status: 401, code: "ModelArts.0204", expected: .tokenRefresh),
        // v2 training jobs (errata §4.5)
        Row(status: 400, code: "ModelArts.2751", expected: .permanent),
        Row(status: 400, code: "ModelArts.2815", expected: .slow),
        Row(status: 400, code: "ModelArts.2833", expected: .slow),
        Row(status: 400, code: "ModelArts.2886", expected: .permanent),
        Row(status: 400, code: "ModelArts.2887", expected: .slow),
        Row(status: 400, code: "ModelArts.2837", expected: .permanent),
        Row(status: 403, code: "ModelArts.2784", expected: .tokenRefresh),
        Row(status: 403, code: "ModelArts.2785", expected: .permanent),
        Row(status: 404, code: "ModelArts.2786", expected: .permanent),
        Row(status: 404, code: "ModelArts.2890", expected: .permanent),
        Row(status: 405, code: "ModelArts.2803", expected: .permanent),
        Row(status: 409, code: "ModelArts.2813", expected: .permanent),
        Row(status: 409, code: "ModelArts.2878", expected: .transient),
        Row(status: 429, code: "ModelArts.2799", expected: .throttled),
        Row(status: 500, code: "ModelArts.2900", expected: .transient),
        Row(status: 500, code: "ModelArts.2999", expected: .transient),
        // §4.4 API Gateway
        Row(status: 404, code: "APIGW.0101", expected: .permanent),
        Row(status: 404, code: "APIGW.0103", expected: .permanent),
        Row(status: 500, code: "APIGW.0103", expected: .transient),
        Row(status: 400, code: "APIGW.0104", expected: .permanent),
        Row(status: 400, code: "APIGW.0105", expected: .permanent),
        Row(status: 400, code: "APIGW.0106", expected: .permanent),
        Row(status: 400, code: "APIGW.0201", expected: .permanent),
        Row(status: 413, code: "APIGW.0201", expected: .permanent),
        Row(status: 414, code: "APIGW.0201", expected: .permanent),
        Row(status: 494, code: "APIGW.0201", expected: .permanent),
        Row(status: 502, code: "APIGW.0201", expected: .transient),
        Row(status: 504, code: "APIGW.0201", expected: .transient),
        Row(status: 500, code: "APIGW.0201", expected: .transient),
        Row(status: 502, code: "APIGW.0202", expected: .transient),
        Row(status: 504, code: "APIGW.0203", expected: .transient),
        Row(status: 401, code: "APIGW.0301", expected: .permanent),
        Row(status: 403, code: "APIGW.0302", expected: .permanent),
        Row(status: 401, code: "APIGW.0303", expected: .permanent),
        Row(status: 403, code: "APIGW.0304", expected: .permanent),
        Row(status: 401, code: "APIGW.0305", expected: .permanent),
        Row(status: 403, code: "APIGW.0306", expected: .permanent),
        Row(status: 401, code: "APIGW.0307", expected: .tokenRefresh),
        Row(status: 429, code: "APIGW.0308", expected: .throttled),
        Row(status: 403, code: "APIGW.0310", expected: .permanent),
        Row(status: 401, code: "APIGW.0311", expected: .permanent),
        Row(status: 403, code: "APIGW.0401", expected: .permanent),
        Row(status: 403, code: "APIGW.0402", expected: .permanent),
        Row(status: 403, code: "APIGW.0404", expected: .permanent),
        Row(status: 403, code: "APIGW.0405", expected: .permanent),
        Row(status: 405, code: "APIGW.0501", expected: .permanent),
        Row(status: 405, code: "APIGW.0502", expected: .permanent),
        Row(status: 500, code: "APIGW.0601", expected: .transient),
        Row(status: 400, code: "APIGW.0602", expected: .permanent),
        Row(status: 500, code: "APIGW.0605", expected: .transient),
        Row(status: 500, code: "APIGW.0606", expected: .transient),
        Row(status: 500, code: "APIGW.0608", expected: .transient),
        Row(status: 500, code: "APIGW.0609", expected: .transient),
        Row(status: 500, code: "APIGW.0611", expected: .transient),
        Row(status: 502, code: "APIGW.0610", expected: .transient),
        Row(status: 503, code: "APIGW.0613", expected: .transient),
        Row(status: 403, code: "APIGW.0802", expected: .permanent),
    ]

    static func error(_ row: Row, operation: ModelArtsOperation = .showVersion, message: String = "m") -> ModelArtsError {
        .http(operation: operation, status: row.status, errorCode: row.code, message: message, requestID: "r")
    }

    @Test(arguments: table)
    func everyListedCode(row: Row) {
        #expect(Self.error(row).errorClass == row.expected)
        // Every listed code has an explicit rule: nothing falls through to the status-only default.
        #expect(ErrorClassification.codeRules[row.code] != nil)
    }

    @Test(arguments: table)
    func createTurnsGatewayTimeoutsIntoUnknownOutcome(row: Row) {
        let expected: ErrorClass = row.status == 502 || row.status == 504 ? .unknownOutcome : row.expected
        #expect(Self.error(row, operation: .createVersion).errorClass == expected)
    }

    @Test func dedicatedGatewayPrefixes() {
        #expect(Self.error(Row(status: 429, code: "APIG.0308", expected: .throttled)).errorClass == .throttled)
        #expect(Self.error(Row(status: 401, code: "APIG.0307", expected: .tokenRefresh)).errorClass == .tokenRefresh)
        #expect(Self.error(Row(status: 404, code: "APIC.0101", expected: .permanent)).errorClass == .permanent)
    }

    @Test func unlistedCodesFallBackToStatus() {
        let cases: [(Int, ErrorClass, ErrorClass)] = [
            // status, read, create
            (400, .permanent, .permanent), (403, .permanent, .permanent), (404, .permanent, .permanent),
            (409, .permanent, .permanent), (408, .transient, .transient), (429, .throttled, .throttled),
            (401, .tokenRefresh, .tokenRefresh), (500, .transient, .transient), (503, .transient, .transient),
            (502, .transient, .unknownOutcome), (504, .transient, .unknownOutcome), (501, .permanent, .permanent),
            (200, .permanent, .permanent),
        ]
        for (status, read, create) in cases {
            for code in ["ModelArts.9999", nil] {
                #expect(ModelArtsError.http(operation: .listVersions, status: status, errorCode: code, message: "", requestID: nil).errorClass == read, "\(status)")
                #expect(ModelArtsError.http(operation: .createVersion, status: status, errorCode: code, message: "", requestID: nil).errorClass == create, "\(status)")
            }
        }
        // Any 429 is throttling, even with a code the tables call permanent.
        #expect(ModelArtsError.http(operation: .showVersion, status: 429, errorCode: "ModelArts.0104", message: "", requestID: nil).errorClass == .throttled)
    }

    @Test func apigw0301TokenVariantRefreshes() {
        let token = ModelArtsError.http(operation: .showVersion, status: 401, errorCode: "APIGW.0301",
                                        message: "Incorrect IAM authentication information: decrypt token fail", requestID: nil)
        #expect(token.errorClass == .tokenRefresh)
        #expect(token.afterTokenRefresh().errorClass == .permanent)
        let signature = ModelArtsError.http(operation: .showVersion, status: 401, errorCode: "APIGW.0301",
                                            message: "Incorrect IAM authentication information: verify aksk signature fail", requestID: nil)
        #expect(signature.errorClass == .permanent)
        let echoed = ModelArtsError.http(
            operation: .showVersion, status: 401, errorCode: "APIGW.0301",
            message: "Incorrect IAM authentication information: verify aksk signature fail,canonicalRequest:GET|/v1/p/||x-auth-token:x||x-auth-token|e3b0", requestID: nil)
        #expect(echoed.errorClass == .permanent)
    }

    @Test func tokenRefreshOnlyOnce() {
        let expired = Self.error(Row(status: 401, code: "APIGW.0307", expected: .tokenRefresh))
        #expect(expired.errorClass == .tokenRefresh)
        #expect(expired.afterTokenRefresh().errorClass == .permanent)
    }

    @Test func transportFailures() {
        for operation in ModelArtsOperation.allCases {
            #expect(ModelArtsError.transportNotSent(operation: operation, message: "connection refused").errorClass == .transient)
            #expect(ModelArtsError.configuration(operation: operation, message: "bad CA file").errorClass == .permanent)
        }
        #expect(ModelArtsError.transportMaybeSent(operation: .createVersion, message: "read timeout").errorClass == .unknownOutcome)
        for operation in [ModelArtsOperation.showVersion, .listVersions, .listJobs, .stopVersion, .issueToken] {
            #expect(ModelArtsError.transportMaybeSent(operation: operation, message: "reset").errorClass == .transient)
        }
    }

    @Test func undecodableResponses() {
        #expect(ModelArtsError.undecodableResponse(operation: .createVersion, status: 200, message: "x", requestID: nil).errorClass == .unknownOutcome)
        #expect(ModelArtsError.undecodableResponse(operation: .showVersion, status: 200, message: "x", requestID: nil).errorClass == .transient)
        #expect(ModelArtsError.undecodableResponse(operation: .createVersion, status: 502, message: "<html>", requestID: nil).errorClass == .unknownOutcome)
        #expect(ModelArtsError.undecodableResponse(operation: .showVersion, status: 503, message: "<html>", requestID: nil).errorClass == .transient)
        #expect(ModelArtsError.undecodableResponse(operation: .createVersion, status: 400, message: "<html>", requestID: nil).errorClass == .permanent)
        // A 429 whose body cannot be read (an HTML page, or one past the size limit) is throttling all the
        // same: it must not spend the attempt budget.
        #expect(ModelArtsError.undecodableResponse(operation: .createVersion, status: 429, message: "<html>", requestID: nil).errorClass == .throttled)
        #expect(ModelArtsError.undecodableResponse(operation: .listVersions, status: 408, message: "<html>", requestID: nil).errorClass == .transient)
    }

    @Test func retryHints() {
        let throttled = ModelArtsError.http(
            operation: .createVersion, status: 429, errorCode: "APIGW.0308",
            message: "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 minute",
            requestID: "r", retryAfter: .seconds(2))
        #expect(throttled.retryHint == RetryHint(retryAfter: .seconds(2), throttleLimit: 10, throttleWindow: .seconds(60)))
        #expect(throttled.retryHint.minimumDelay == .seconds(60))
        let perSecond = ModelArtsError.http(
            operation: .showVersion, status: 429, errorCode: "APIG.0308",
            message: "The throttling threshold has been reached: policy user over ratelimit,limit:200,time:1 second", requestID: nil)
        #expect(perSecond.retryHint == RetryHint(throttleLimit: 200, throttleWindow: .seconds(1)))
        let garbled = ModelArtsError.http(operation: .showVersion, status: 429, errorCode: "APIGW.0308", message: "limit:x,time:1 fortnight", requestID: nil)
        #expect(garbled.retryHint == RetryHint())
        #expect(garbled.retryHint.minimumDelay == nil)
        let other = ModelArtsError.http(operation: .showVersion, status: 503, errorCode: "ModelArts.4700", message: "limit:1,time:1 second", requestID: nil, retryAfter: .seconds(5))
        #expect(other.retryHint == RetryHint(retryAfter: .seconds(5)))
    }

    @Test func descriptionsCarryTheFacts() {
        let error = ModelArtsError.http(operation: .createVersion, status: 503, errorCode: "ModelArts.4700",
                                        message: "platform upgrading", requestID: "abc", retryAfter: .seconds(3))
        #expect(error.description == "ModelArts create_version failed: HTTP 503 ModelArts.4700: platform upgrading [request id abc] [retry after 3.0 seconds]")
        #expect(error.kind == .http)
        let redacted = ModelArtsError.http(operation: .issueToken, status: 401, errorCode: nil, message: "bad password hunter2", requestID: nil)
            .redacting(["hunter2"])
        #expect(!redacted.description.contains("hunter2"))
    }
}
