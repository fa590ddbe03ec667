import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The page: HTML, CSS and JavaScript compiled into the binary (no CDN: training hosts may have no
/// internet). Strict CSP: scripts and styles only from the dashboard itself, nothing inline.
struct DashboardAssets: Sendable {
    let csrfToken: String
    let socketPath: String

    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    /// `index.html` with the page's CSRF token and the socket filled in.
    func index() -> Response {
        let html = String(decoding: PackageResources.index_html, as: UTF8.self)
            .replacingOccurrences(of: "{{CSRF_TOKEN}}", with: csrfToken)
            .replacingOccurrences(of: "{{SOCKET}}", with: Self.escapeHTML(socketPath))
        return Self.response(Array(html.utf8), contentType: "text/html; charset=utf-8")
    }

    static func script() -> Response {
        response(PackageResources.dashboard_js, contentType: "text/javascript; charset=utf-8")
    }

    static func stylesheet() -> Response {
        response(PackageResources.dashboard_css, contentType: "text/css; charset=utf-8")
    }

    private static func response(_ bytes: [UInt8], contentType: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: contentType, .contentSecurityPolicy: contentSecurityPolicy, .xContentTypeOptions: "nosniff",
                .referrerPolicy: "no-referrer", .cacheControl: "no-store", .xFrameOptions: "DENY",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func escapeHTML(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
}
