import JSONTree
import NIOHTTP1
import Testing
@testable import ModelArtsSimulator

@Suite struct ThrottlingTests {
    @Test func callsBeyondTheLimitAreThrottledWithTheGatewayMessage() async throws {
        let clock = ClockBox()
        try await ModelArtsSimulator.withRunning(.init(rateLimit: 3), clock: clock.read) { _, port in
            let http = TestHTTP(port: port)
            var statuses: [Int] = []
            var throttled: TestHTTP.Reply?
            for _ in 0..<5 {
                let reply = try await http.show(version: 20)
                statuses.append(reply.status)
                if reply.status == 429 { throttled = reply }
            }
            #expect(statuses == [200, 200, 200, 429, 429])
            let reply = try #require(throttled)
            #expect(reply.errorCode == "APIGW.0308")
            #expect(reply.json?["error_msg"] == .string("The throttling threshold has been reached: policy user over ratelimit,limit:3,time:1 second"))
            #expect(reply.json?["request_id"]?.stringValue == reply.requestID)
            #expect(reply.headers.first(name: "Retry-After") == nil)

            // A third of a second refills one call; a whole second refills the bucket.
            clock.advance(milliseconds: 334)
            #expect(try await http.show(version: 20).status == 200)
            #expect(try await http.show(version: 20).status == 429)
            clock.advance(milliseconds: 1_000)
            for _ in 0..<3 { #expect(try await http.show(version: 20).status == 200) }

            let ledger = try await http.ledger()
            #expect(ledger["requests"]?["throttled"] == .integer(3))
            #expect(ledger["requests"]?["show"] == .integer(10))
        }
    }

    @Test func throttlingCountsPerCallerAfterAuthentication() async throws {
        let clock = ClockBox()
        let configuration = SimulatorConfiguration(
            accessKeys: ["AK-OTHER": "sk"], iamUser: TokenTests.user, rateLimit: 1)
        try await ModelArtsSimulator.withRunning(configuration, clock: clock.read) { _, port in
            let http = TestHTTP(port: port)
            let token = try #require(try await TokenTests.login(http).headers.first(name: "X-Subject-Token"))
            // Refused before throttling: does not use the user's budget.
            #expect(try await http.show(version: 20).status == 401)
            let path = TestHTTP.versionsPath() + "/20"
            #expect(try await http.send(.GET, path, headers: [("X-Auth-Token", token)]).status == 200)
            #expect(try await http.send(.GET, path, headers: [("X-Auth-Token", token)]).status == 429)
            let ledger = try await http.ledger()
            #expect(ledger["requests"]?["rejected_auth"] == .integer(1))
            #expect(ledger["requests"]?["throttled"] == .integer(1))
        }
    }
}
