import JSONTree
import ModelArtsSimulator
import NIOHTTP1
import Testing

@Suite struct ThrottlingTests {
    @Test func callsBeyondTheLimitAreThrottledWithTheGatewayMessage() async throws {
        try await ModelArtsSimulator.withRunning(.init(rateLimit: 3)) { _, port in
            let http = TestHTTP(port: port)
            var statuses: [Int] = []
            var throttled: TestHTTP.Reply?
            for _ in 0..<8 {
                let reply = try await http.show(version: 20)
                statuses.append(reply.status)
                if reply.status == 429 { throttled = reply }
            }
            // Eight calls in well under a second against a budget of three per second.
            #expect(statuses.filter { $0 == 200 }.count >= 3)
            #expect(statuses.filter { $0 == 200 }.count < 8)
            let reply = try #require(throttled)
            #expect(reply.errorCode == "APIGW.0308")
            #expect(reply.json?["error_msg"] == .string("The throttling threshold has been reached: policy user over ratelimit,limit:3,time:1 second"))
            let ledger = try await http.ledger()
            #expect(ledger["requests"]?["throttled"]?.int64Value == Int64(statuses.filter { $0 == 429 }.count))
        }
    }

    @Test func throttlingCountsPerCallerAfterAuthentication() async throws {
        try await ModelArtsSimulator.withRunning(.init(iamUser: TokenTests.user, rateLimit: 1)) { _, port in
            let http = TestHTTP(port: port)
            let token = try #require(try await TokenTests.login(http).headers.first(name: "X-Subject-Token"))
            // Unauthenticated calls are refused before throttling and do not use the user's budget.
            #expect(try await http.show(version: 20).status == 401)
            #expect(try await http.send(.GET, TestHTTP.versionsPath() + "/20", headers: [("X-Auth-Token", token)]).status == 200)
            var sawThrottle = false
            for _ in 0..<5 where !sawThrottle {
                sawThrottle = try await http.send(.GET, TestHTTP.versionsPath() + "/20", headers: [("X-Auth-Token", token)]).status == 429
            }
            #expect(sawThrottle)
        }
    }
}
