import Foundation
import JSONTree
import ModelArts
import ModelArtsSimulator
import Testing

/// Every fault kind the simulator injects, as our client sees it: the typed error and its class.
@Suite struct ClientFaultTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var faults: String
        var onCreate: Bool
        var kind: ModelArtsError.Kind
        var errorClass: ErrorClass
        var status: Int? = nil
        var errorCode: String? = nil
        /// Versions in the ledger afterwards (creates only).
        var versionsCreated: Int = 0
        /// Generous unless the case is about timing out.
        var requestTimeout: Duration = .seconds(10)
        var testDescription: String { name }
    }

    static func fault(_ on: String, _ rest: String) -> String {
        #"{"faults":[{"on":"\#(on)","count":1,\#(rest)}]}"#
    }

    static let cases: [Case] = [
        Case(name: "503 ModelArts.4700", faults: fault("create", #""kind":"error","status":503"#), onCreate: true,
             kind: .http, errorClass: .transient, status: 503, errorCode: "ModelArts.4700"),
        Case(name: "429 APIGW.0308", faults: fault("create", #""kind":"error","status":429"#), onCreate: true,
             kind: .http, errorClass: .throttled, status: 429, errorCode: "APIGW.0308"),
        Case(name: "429 ModelArts.2799", faults: fault("show", #""kind":"error","status":429,"error_code":"ModelArts.2799""#), onCreate: false,
             kind: .http, errorClass: .throttled, status: 429, errorCode: "ModelArts.2799"),
        Case(name: "408 ModelArts.4205", faults: fault("show", #""kind":"error","status":408"#), onCreate: false,
             kind: .http, errorClass: .transient, status: 408, errorCode: "ModelArts.4205"),
        Case(name: "409 ModelArts.5044", faults: fault("create", #""kind":"error","status":409"#), onCreate: true,
             kind: .http, errorClass: .transient, status: 409, errorCode: "ModelArts.5044"),
        Case(name: "500 ModelArts.0010", faults: fault("create", #""kind":"error","status":500"#), onCreate: true,
             kind: .http, errorClass: .transient, status: 500, errorCode: "ModelArts.0010"),
        Case(name: "502 on create", faults: fault("create", #""kind":"error","status":502"#), onCreate: true,
             kind: .http, errorClass: .unknownOutcome, status: 502, errorCode: "APIGW.0201"),
        Case(name: "502 on show", faults: fault("show", #""kind":"error","status":502"#), onCreate: false,
             kind: .http, errorClass: .transient, status: 502, errorCode: "APIGW.0201"),
        Case(name: "400 ModelArts.0104", faults: fault("create", #""kind":"error","status":400"#), onCreate: true,
             kind: .http, errorClass: .permanent, status: 400, errorCode: "ModelArts.0104"),
        Case(name: "400 ModelArts.0116 quota", faults: fault("create", #""kind":"error","status":400,"error_code":"ModelArts.0116""#), onCreate: true,
             kind: .http, errorClass: .slow, status: 400, errorCode: "ModelArts.0116"),
        Case(name: "404 APIGW.0101 retired API", faults: fault("create", #""kind":"error","status":404,"error_code":"APIGW.0101""#), onCreate: true,
             kind: .http, errorClass: .permanent, status: 404, errorCode: "APIGW.0101"),
        Case(name: "lost response: dropped", faults: fault("create", #""kind":"lost_response""#), onCreate: true,
             kind: .transportMaybeSent, errorClass: .unknownOutcome, versionsCreated: 1),
        Case(name: "lost response: 504", faults: fault("create", #""kind":"lost_response","status":504"#), onCreate: true,
             kind: .http, errorClass: .unknownOutcome, status: 504, errorCode: "APIGW.0201", versionsCreated: 1),
        Case(name: "reset on create", faults: fault("create", #""kind":"reset""#), onCreate: true,
             kind: .transportMaybeSent, errorClass: .unknownOutcome),
        Case(name: "reset on show", faults: fault("show", #""kind":"reset""#), onCreate: false,
             kind: .transportMaybeSent, errorClass: .transient),
        Case(name: "slow answer past the timeout on create", faults: fault("create", #""kind":"delay","delay_ms":3000"#), onCreate: true,
             kind: .transportMaybeSent, errorClass: .unknownOutcome, versionsCreated: 1, requestTimeout: .seconds(1)),
    ]

    @Test(arguments: cases)
    func faultIsReportedAndClassified(_ testCase: Case) async throws {
        try await ClientTestSupport.withSignedClient(requestTimeout: testCase.requestTimeout) { client, http in
            #expect(try await http.setFaults(testCase.faults).status == 200)
            let request = try ClientTestSupport.sampleRequest()
            let error = await ClientTestSupport.failure { () async throws(ModelArtsError) in
                if testCase.onCreate {
                    _ = try await client.createVersion(jobID: 10, request: request)
                } else {
                    _ = try await client.showVersion(jobID: 10, versionID: 20)
                }
            }
            let failure = try #require(error)
            #expect(failure.kind == testCase.kind, "\(failure)")
            #expect(failure.errorClass == testCase.errorClass, "\(failure)")
            #expect(failure.httpStatus == testCase.status)
            #expect(failure.errorCode == testCase.errorCode)
            if failure.kind == .http {
                #expect(failure.requestID?.count == 32)
            }
            if testCase.onCreate {
                // A slow backend commits after the client gave up; give it the time it asked for (bounded).
                var created = try await http.ledger()["versions"]?.arrayValue?.count ?? -1
                for _ in 0..<1_000 where created < testCase.versionsCreated {
                    try await Task.sleep(for: .milliseconds(10))
                    created = try await http.ledger()["versions"]?.arrayValue?.count ?? -1
                }
                #expect(created == testCase.versionsCreated)
            }
            // The fault was spent: the same call goes through now.
            #expect(try await client.showVersion(jobID: 10, versionID: 20).versionID == 20)
        }
    }

    @Test func retryAfterAndTheThrottleWindowReachTheRetryHint() async throws {
        /// Signed calls must fall within the simulator's 15-minute signature window, so its clock starts at now.
        let clock = ClockBox(Int64(Date().timeIntervalSince1970 * 1000))
        try await ClientTestSupport.withSignedClient(.init(rateLimit: 1), clock: clock) { client, http in
            _ = try await client.showVersion(jobID: 10, versionID: 20)
            let throttled = await ClientTestSupport.failure { () async throws(ModelArtsError) in try await client.showVersion(jobID: 10, versionID: 20) }
            let error = try #require(throttled)
            #expect(error.errorCode == "APIGW.0308")
            #expect(error.errorClass == .throttled)
            #expect(error.retryHint.throttleLimit == 1)
            #expect(error.retryHint.statedRate == 1)
            #expect(error.retryHint.throttleWindow == .seconds(1))

            clock.advance(milliseconds: 1_000)
            _ = try await http.setFaults(#"{"faults":[{"on":"list","kind":"error","status":503,"retry_after":7,"count":1}]}"#)
            let unavailable = await ClientTestSupport.failure { () async throws(ModelArtsError) in try await client.listVersions(jobID: 10) }
            #expect(unavailable?.retryAfter == .seconds(7))
            #expect(unavailable?.retryHint.retryAfter == .seconds(7))
        }
    }

    @Test func aRefusedConnectionIsNotSent() async throws {
        let port = try await ModelArtsSimulator.withRunning { _, port in port }
        let client = try ModelArtsClient(configuration: ClientTestSupport.clientConfiguration(
            port: port,
            authentication: .accessKey(AKSKSigner(accessKey: ClientTestSupport.accessKey, secretKey: ClientTestSupport.secretKey)),
            requestTimeout: .seconds(2)))
        let request = try ClientTestSupport.sampleRequest()
        let error = await ClientTestSupport.failure { () async throws(ModelArtsError) in
            try await client.createVersion(jobID: 10, request: request)
        }
        try await client.shutdown()
        #expect(error?.kind == .transportNotSent)
        #expect(error?.errorClass == .transient)
    }

    @Test func aBadSignatureIsPermanent() async throws {
        try await ModelArtsSimulator.withRunning(.init(accessKeys: [ClientTestSupport.accessKey: "a-different-secret"])) { _, port in
            let client = try ModelArtsClient(configuration: ClientTestSupport.clientConfiguration(
                port: port,
                authentication: .accessKey(AKSKSigner(accessKey: ClientTestSupport.accessKey, secretKey: ClientTestSupport.secretKey)),
                requestTimeout: .seconds(20)))
            let error = await ClientTestSupport.failure { () async throws(ModelArtsError) in try await client.listVersions(jobID: 10) }
            try await client.shutdown()
            #expect(error?.httpStatus == 401)
            #expect(error?.errorCode == "APIGW.0301")
            #expect(error?.errorClass == .permanent)
            #expect(!"\(String(describing: error))".contains(ClientTestSupport.secretKey))
        }
    }
}
