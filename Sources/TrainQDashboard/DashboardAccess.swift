import HTTPTypes

/// Who may use the dashboard, decided from the request alone (a pure value, so every rule is tested
/// without a server). The relay acts with the peer credentials of the user who started it, so anyone
/// who reaches it acts as that user: loopback is not enough on a shared host.
///
/// - a random token, printed in the URL as Jupyter does, becomes an `HttpOnly`, `SameSite=Strict`
///   cookie; every other request needs the cookie;
/// - the `Host` must be the dashboard's own address, against DNS rebinding;
/// - an `Origin`, when sent, must be its own too, and a request that changes state must carry the CSRF
///   token that only the served page knows.
struct DashboardAccess: Sendable {
    enum Decision: Equatable {
        case allow
        /// The entry URL with the right token: set the cookie and send the browser to a URL without it.
        case enter
        case refuse(String)
    }

    static let cookieName = "trainq_dashboard"
    static let csrfHeader = HTTPField.Name("X-TrainQ-CSRF")!

    let token: String
    let csrfToken: String
    /// `host:port` values the `Host` header may name.
    let hosts: Set<String>

    func decide(
        method: HTTPRequest.Method, path: String, queryToken: String?, cookie: String?, host: String?, origin: String?,
        csrf: String?
    ) -> Decision {
        guard let host, hosts.contains(host.lowercased()) else {
            return .refuse("the Host header '\(host ?? "")' is not this dashboard's address (DNS rebinding?)")
        }
        if let origin, !hosts.contains(where: { "http://\($0)" == origin.lowercased() }) {
            return .refuse("requests from the origin '\(origin)' are not allowed")
        }
        if method == .get, path == "/", let queryToken {
            return Self.sameSecret(queryToken, token) ? .enter : .refuse("the token in the URL is not this dashboard's")
        }
        guard let cookie, Self.sameSecret(cookie, token) else {
            return .refuse("open the dashboard with the URL that `trainq dashboard` printed (it carries the token)")
        }
        if method != .get, method != .head {
            guard let csrf, Self.sameSecret(csrf, csrfToken) else {
                return .refuse("a request that changes something needs the page's X-TrainQ-CSRF header")
            }
        }
        return .allow
    }

    /// Compares in time that does not depend on where the strings differ.
    static func sameSecret(_ given: String, _ expected: String) -> Bool {
        let given = Array(given.utf8)
        let expected = Array(expected.utf8)
        guard given.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(given, expected) {
            difference |= left ^ right
        }
        return difference == 0
    }

    /// 32 random bytes as 64 lowercase hexadecimal characters.
    static func randomSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte, radix: 16).leftPadded(to: 2)
        }.joined()
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
