import HTTPTypes
import Testing

@testable import TrainQDashboard

/// Every rule of who may use the dashboard, without a server: the token, its cookie, the `Host`, the
/// `Origin` and the CSRF header.
@Suite struct DashboardAccessTests {
    let access = DashboardAccess(
        token: String(repeating: "a", count: 64), csrfToken: String(repeating: "c", count: 64),
        hosts: DashboardServer.allowedHosts(.defaultAddress, port: 8123))
    let token = String(repeating: "a", count: 64)
    let csrf = String(repeating: "c", count: 64)

    private func decide(
        _ method: HTTPRequest.Method = .get, _ path: String = "/api/v1/health", queryToken: String? = nil,
        cookie: String? = String(repeating: "a", count: 64), host: String? = "127.0.0.1:8123", origin: String? = nil,
        csrf: String? = nil
    ) -> DashboardAccess.Decision {
        access.decide(method: method, path: path, queryToken: queryToken, cookie: cookie, host: host, origin: origin, csrf: csrf)
    }

    @Test func theEntryURLSetsTheCookieAndAWrongTokenIsRefused() {
        #expect(decide(.get, "/", queryToken: token, cookie: nil) == .enter)
        #expect(decide(.get, "/", queryToken: String(repeating: "b", count: 64), cookie: nil) != .enter)
        #expect(decide(.get, "/", queryToken: "short", cookie: nil) != .allow)
    }

    @Test func everythingElseNeedsTheCookie() {
        #expect(decide() == .allow)
        #expect(decide(cookie: nil) != .allow)
        #expect(decide(cookie: String(repeating: "b", count: 64)) != .allow)
        #expect(decide(.get, "/", cookie: nil) != .allow)
        #expect(decide(.get, "/dashboard.js", cookie: nil) != .allow)
    }

    @Test func onlyItsOwnHostAndOriginDNSRebindingIsRefused() {
        #expect(decide(host: "localhost:8123") == .allow)
        #expect(decide(host: "[::1]:8123") == .allow)
        #expect(decide(host: "evil.example:8123") != .allow)
        #expect(decide(host: "127.0.0.1:9999") != .allow)
        #expect(decide(host: nil) != .allow)
        #expect(decide(origin: "http://127.0.0.1:8123") == .allow)
        #expect(decide(origin: "http://evil.example") != .allow)
        #expect(decide(origin: "https://127.0.0.1:8123") != .allow)
        #expect(decide(origin: "null") != .allow)
        // The token in the URL does not open a foreign host either.
        #expect(decide(.get, "/", queryToken: token, cookie: nil, host: "evil.example:8123") != .enter)
    }

    @Test func changesNeedTheCSRFHeader() {
        #expect(decide(.post, "/api/v1/submissions/x/cancel") != .allow)
        #expect(decide(.post, "/api/v1/submissions/x/cancel", csrf: token) != .allow)
        #expect(decide(.post, "/api/v1/submissions/x/cancel", csrf: csrf) == .allow)
        #expect(decide(.delete, "/api/v1/submissions", csrf: nil) != .allow)
    }

    @Test func secretsAreRandomHexAndListenAddressesParse() {
        let first = DashboardAccess.randomSecret()
        #expect(first.count == 64 && first.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(first != DashboardAccess.randomSecret())
        #expect(DashboardListenAddress(parsing: "127.0.0.1:8080") == DashboardListenAddress(host: "127.0.0.1", port: 8080))
        #expect(DashboardListenAddress(parsing: "[::1]:0")?.isLoopback == true)
        #expect(DashboardListenAddress(parsing: "0.0.0.0:80")?.isLoopback == false)
        #expect(DashboardListenAddress(parsing: "8080") == nil)
        #expect(DashboardListenAddress(parsing: "host:99999") == nil)
        let wide = DashboardServer.allowedHosts(DashboardListenAddress(host: "10.1.2.3", port: 80), port: 80)
        #expect(wide.contains("10.1.2.3:80") && wide.contains("127.0.0.1:80"))
    }
}
