import HTTPTypes
import Hummingbird
import TrainQAPI

/// Answers every request of the dashboard: the access rules first, then the page, its two files, or the
/// relay. Small enough that one switch shows every route.
struct DashboardResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let relay: DaemonRelay
    let assets: DashboardAssets
    let token: String
    let hosts: BoundHosts

    func respond(to request: Request, context: Context) async throws -> Response {
        let access = DashboardAccess(token: token, csrfToken: assets.csrfToken, hosts: hosts.current)
        let decision = access.decide(
            method: request.method, path: request.uri.path, queryToken: request.uri.queryParameters.get("token"),
            cookie: request.cookies[DashboardAccess.cookieName]?.value, host: request.head.authority,
            origin: request.headers[.origin], csrf: request.headers[DashboardAccess.csrfHeader])
        switch decision {
        case .refuse(let reason):
            return DashboardError.response(.forbidden, .forbidden, reason)
        case .enter:
            // The token leaves the address bar (and the history) at once; from now on the cookie carries it.
            return Response(
                status: .seeOther,
                headers: [
                    .location: "/", .cacheControl: "no-store", .referrerPolicy: "no-referrer",
                    .setCookie: "\(DashboardAccess.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict",
                ])
        case .allow:
            break
        }
        let path = request.uri.path
        switch (request.method, path) {
        case (.get, "/"), (.get, "/index.html"): return assets.index()
        case (.get, "/dashboard.js"): return DashboardAssets.script()
        case (.get, "/dashboard.css"): return DashboardAssets.stylesheet()
        case (_, _) where path.hasPrefix("/api/"):
            return await relay.relay(request, socketSubpath: String(path.dropFirst("/api".count)))
        default:
            return DashboardError.response(.notFound, .notFound, "the dashboard has no page at \(path)")
        }
    }
}
