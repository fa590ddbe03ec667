import Foundation
import HTTPTypes
import Hummingbird
import TrainQAPI

/// The relay's own refusals, in the same envelope as the daemon's errors, so the page reads one shape.
enum DashboardError {
    static func response(_ status: HTTPResponse.Status, _ kind: ErrorKind, _ message: String) -> Response {
        let envelope = ErrorEnvelope(kind: kind, message: message)
        let data = (try? APICoding.encoder().encode(envelope)) ?? Data()
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .xContentTypeOptions: "nosniff", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
}
