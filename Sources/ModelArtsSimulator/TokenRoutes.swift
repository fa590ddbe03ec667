import Crypto
import Foundation
import Hummingbird
import JSONTree

/// IAM's `POST /v3/auth/tokens` with password authentication (reference §5.1): 201, the token in the
/// `X-Subject-Token` header, its expiry in `token.expires_at`.
struct TokenRoutes: Sendable {
    let cloud: SimulatedCloud
    let gateway: APIGateway
    /// The user allowed to log in; nil with auth off lets anybody in (tokens are not checked then).
    let user: IAMUser?
    let requiresAuthentication: Bool

    func register(on router: Router<SimulatorRequestContext>) {
        router.post("/v3/auth/tokens", use: issue)
    }

    @Sendable func issue(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let admission = try await gateway.admit(.token, request, body: body, context: context)
        let login = try PasswordLogin(body)
        if requiresAuthentication {
            guard let user, user.name == login.user, user.password == login.password, user.domain == login.domain else {
                throw ServiceError.iam(status: 401, title: "Unauthorized", message: "The username or password is wrong.")
            }
        }
        let issued = await cloud.issueToken(user: login.user)
        if let lost = admission.lostResponse { try await gateway.loseResponse(lost, route: .token, context: context) }
        let projectID = login.projectID ?? Self.stableID(login.projectName ?? "project")
        let domain: JSONValue = .object(["name": .string(login.domain), "id": .string(Self.stableID("domain:" + login.domain))])
        let token: JSONValue = .object([
            "expires_at": .string(Self.iamTimestamp(issued.expiresAt)),
            "issued_at": .string(Self.iamTimestamp(issued.issuedAt)),
            "methods": .array([.string("password")]),
            "user": .object([
                "name": .string(login.user), "id": .string(Self.stableID("user:" + login.user)), "domain": domain,
            ]),
            "project": .object([
                "name": .string(login.projectName ?? "project"), "id": .string(projectID), "domain": domain,
            ]),
            "roles": .array([]),
            "catalog": .array([]),
        ])
        var headers: HTTPFields = [:]
        headers[.subjectToken] = issued.token
        return JSONResponse.make(.created, .object(["token": token]), headers: headers)
    }

    /// `2015-11-09T01:42:57.527000Z`: IAM writes microseconds.
    static func iamTimestamp(_ epochMilliseconds: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(epochMilliseconds) / 1_000)
        let text = date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        return text.hasSuffix("Z") ? String(text.dropLast()) + "000Z" : text
    }

    /// 32 lowercase hex characters derived from a name, so ids stay the same between runs.
    static func stableID(_ name: String) -> String {
        SHA256.hash(data: Data(name.utf8)).prefix(16).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }
}
