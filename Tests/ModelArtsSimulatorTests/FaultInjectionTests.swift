import AsyncHTTPClient
import JSONTree
import ModelArtsSimulator
import NIOCore
import NIOHTTP1
import Testing

@Suite struct FaultInjectionTests {
    static func versionCount(_ http: TestHTTP) async throws -> Int {
        try await http.ledger()["versions"]?.arrayValue?.count ?? -1
    }

    @Test func anErrorFaultAnswersWithTheCodeAndRetryAfterThenIsSpent() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            let set = try await http.setFaults(#"{"faults":[{"on":"create","kind":"error","status":503,"retry_after":2,"count":1}]}"#)
            #expect(set.status == 200)
            let failed = try await http.create()
            #expect(failed.status == 503)
            #expect(failed.errorCode == "ModelArts.4700")
            #expect(failed.json?["is_success"] == .bool(false))
            #expect(failed.headers.first(name: "Retry-After") == "2")
            #expect(try await Self.versionCount(http) == 0)
            #expect(try await http.create().status == 200)
            let ledger = try await http.ledger()
            #expect(ledger["requests"]?["create"] == .integer(2))
            #expect(ledger["requests"]?["faults"] == .integer(1))
        }
    }

    @Test func gatewayCodesComeInTheGatewayShape() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            _ = try await http.setFaults(#"{"faults":[{"on":"show","kind":"error","status":429}]}"#)
            let throttled = try await http.show(version: 20)
            #expect(throttled.status == 429)
            #expect(throttled.errorCode == "APIGW.0308")
            #expect(throttled.json?["error_msg"]?.stringValue?.contains("limit:") == true)
            #expect(throttled.json?["request_id"]?.stringValue == throttled.requestID)
            #expect(throttled.headers.first(name: "Retry-After") == nil)
        }
    }

    @Test func aLostResponseDropsTheConnectionButTheVersionExists() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            _ = try await http.setFaults(#"{"faults":[{"on":"create","kind":"lost_response","count":1}]}"#)
            await #expect(throws: (any Error).self) { try await http.create() }
            let versions = try await http.ledger()["versions"]?.arrayValue ?? []
            #expect(versions.count == 1)
            #expect(versions.first?["response_lost"] == .bool(true))
            #expect(versions.first?["pre_version_id"] == .integer(20))
            // The version is there for reconciliation to find.
            let listed = try await http.send(.GET, TestHTTP.versionsPath() + "?page=1&per_page=10")
            #expect(listed.json?["versions"]?.arrayValue?.first?["version_id"] == .integer(21))
        }
    }

    @Test func aLostResponseWithAStatusAnswersGatewayTimeoutButTheVersionExists() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            _ = try await http.setFaults(#"{"faults":[{"on":"create","kind":"lost_response","status":504,"count":1}]}"#)
            let reply = try await http.create()
            #expect(reply.status == 504)
            #expect(reply.errorCode == "APIGW.0201")
            #expect(reply.json?["error_msg"] == .string("Backend timeout"))
            #expect(try await Self.versionCount(http) == 1)
        }
    }

    @Test func aResetClosesTheConnectionAndCreatesNothing() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            _ = try await http.setFaults(#"{"faults":[{"on":"create","kind":"reset","count":1}]}"#)
            await #expect(throws: (any Error).self) { try await http.create() }
            #expect(try await Self.versionCount(http) == 0)
            #expect(try await http.create().status == 200)
            #expect(try await Self.versionCount(http) == 1)
        }
    }

    @Test func aDelayedCallStillDoesItsWorkWhenTheClientGivesUp() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            _ = try await http.setFaults(#"{"faults":[{"on":"create","kind":"delay","delay_ms":400,"count":1}]}"#)
            await #expect(throws: (any Error).self) {
                try await http.send(.POST, TestHTTP.versionsPath(), body: TestHTTP.sampleBody(), timeout: .milliseconds(100))
            }
            // The slow backend commits the version after the client stopped waiting.
            var count = 0
            for _ in 0..<1_000 where count == 0 {
                count = try await Self.versionCount(http)
                if count == 0 { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(count == 1)
            // A delay that the client waits out is just a slow answer.
            _ = try await http.setFaults(#"{"faults":[{"on":"show","kind":"delay","delay_ms":50}]}"#)
            #expect(try await http.show(version: 21).status == 200)
        }
    }

    @Test func tokenFaultsHitOnlyTheIAMRoute() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            _ = try await http.setFaults(#"{"faults":[{"on":"token","kind":"error","status":503,"count":1}]}"#)
            #expect(try await http.show(version: 20).status == 200)
            let token = try await http.send(.POST, "/v3/auth/tokens", body: TokenTests.passwordBody(user: "u", password: "p", domain: "d"))
            #expect(token.status == 503)
            #expect(token.json?["error"]?["message"]?.stringValue != nil)
        }
    }

    @Test func controlAPIRejectsBadFaultsPreciselyAndCanListAndClear() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            let bad = try await http.setFaults(#"{"faults":[{"on":"create","kind":"nope"}]}"#)
            #expect(bad.status == 400)
            #expect(bad.json?["error"]?.stringValue?.hasPrefix("faults[0].kind") == true)
            #expect(try await http.setFaults("not json").status == 400)
            _ = try await http.setFaults(#"{"faults":[{"on":"any","kind":"error","status":500,"error_code":"ModelArts.0010"}]}"#)
            let listed = try await http.send(.GET, "/_sim/faults")
            #expect(listed.json?["faults"]?.arrayValue?.first?["error_code"] == .string("ModelArts.0010"))
            #expect(try await http.show(version: 20).status == 500)
            #expect(try await http.send(.DELETE, "/_sim/faults").status == 200)
            #expect(try await http.show(version: 20).status == 200)
        }
    }

    @Test func scenarioFaultsAreActiveFromTheStart() async throws {
        let scenario = Scenario(faults: [FaultRule(target: .list, kind: .error, status: 502, count: 1)])
        try await ModelArtsSimulator.withRunning(.init(scenario: scenario)) { _, port in
            let http = TestHTTP(port: port)
            let reply = try await http.send(.GET, TestHTTP.versionsPath())
            #expect(reply.status == 502)
            #expect(reply.errorCode == "APIGW.0201")
            #expect(try await http.send(.GET, TestHTTP.versionsPath()).status == 200)
        }
    }
}
