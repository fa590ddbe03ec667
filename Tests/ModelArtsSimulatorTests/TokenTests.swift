import Foundation
import JSONTree
import NIOHTTP1
import Testing
@testable import ModelArtsSimulator

@Suite struct TokenTests {
    static let user = IAMUser(domain: "acme", name: "trainer", password: "s3cret")

    static func passwordBody(user: String, password: String, domain: String, project: String = "cn-north-4") -> String {
        """
        {"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"\(user)","password":"\(password)",\
        "domain":{"name":"\(domain)"}}}},"scope":{"project":{"name":"\(project)"}}}}
        """
    }

    static func login(_ http: TestHTTP, password: String = user.password) async throws -> TestHTTP.Reply {
        try await http.send(.POST, "/v3/auth/tokens", headers: [("Content-Type", "application/json;charset=utf8")],
                            body: passwordBody(user: user.name, password: password, domain: user.domain))
    }

    @Test func issuesATokenThatOpensTheAPI() async throws {
        try await ModelArtsSimulator.withRunning(.init(iamUser: Self.user)) { _, port in
            let http = TestHTTP(port: port)
            let login = try await Self.login(http)
            #expect(login.status == 201)
            let token = try #require(login.headers.first(name: "X-Subject-Token"))
            let expiresAt = try #require(login.json?["token"]?["expires_at"]?.stringValue)
            #expect(expiresAt.hasSuffix("Z"))
            #expect(try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(expiresAt.replacingOccurrences(of: "000Z", with: "Z")) > Date())
            #expect(login.json?["token"]?["project"]?["name"] == .string("cn-north-4"))

            #expect(try await http.show(version: 20).status == 401)
            #expect(try await http.send(.GET, TestHTTP.versionsPath() + "/20", headers: [("X-Auth-Token", token)]).status == 200)
            let unknown = try await http.send(.GET, TestHTTP.versionsPath() + "/20", headers: [("X-Auth-Token", "MIIforged")])
            #expect(unknown.status == 401)
            #expect(unknown.errorCode == "APIGW.0307")
            #expect(try await http.ledger()["requests"]?["token"] == .integer(1))
        }
    }

    @Test func anExpiredTokenMustBeUpdated() async throws {
        let clock = ClockBox()
        try await ModelArtsSimulator.withRunning(.init(iamUser: Self.user, tokenLifetime: .seconds(60)), clock: clock.read) { _, port in
            let http = TestHTTP(port: port)
            let token = try #require(try await Self.login(http).headers.first(name: "X-Subject-Token"))
            clock.advance(milliseconds: 59_999)
            #expect(try await http.send(.GET, TestHTTP.versionsPath(), headers: [("X-Auth-Token", token)]).status == 200)
            clock.advance(milliseconds: 1)
            let reply = try await http.send(.GET, TestHTTP.versionsPath(), headers: [("X-Auth-Token", token)])
            #expect(reply.status == 401)
            #expect(reply.errorCode == "APIGW.0307")
            #expect(reply.json?["error_msg"] == .string("The token must be updated."))
            let fresh = try #require(try await Self.login(http).headers.first(name: "X-Subject-Token"))
            #expect(try await http.send(.GET, TestHTTP.versionsPath(), headers: [("X-Auth-Token", fresh)]).status == 200)
        }
    }

    @Test func aWrongPasswordOrABadBodyIsRefused() async throws {
        try await ModelArtsSimulator.withRunning(.init(iamUser: Self.user)) { _, port in
            let http = TestHTTP(port: port)
            let wrong = try await Self.login(http, password: "guess")
            #expect(wrong.status == 401)
            #expect(wrong.headers.first(name: "X-Subject-Token") == nil)
            #expect(wrong.json?["error"]?["code"] == .integer(401))
            let unscoped = try await http.send(.POST, "/v3/auth/tokens", body: #"{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"trainer","password":"s3cret","domain":{"name":"acme"}}}}}}"#)
            #expect(unscoped.status == 400)
            #expect(try await http.send(.POST, "/v3/auth/tokens", body: "[]").status == 400)
        }
    }
}
