import HTTPTypes
import Hummingbird
import NIOCore

/// An answer of the socket API as status, extra headers and body bytes, before either HTTP path carries
/// it: Hummingbird's router (`response()`) or the intake handler in the channel pipeline.
struct RenderedResponse: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields = [:]
    var body: [UInt8]

    /// The head the intake handler writes, with the fields Hummingbird would add: length and date.
    func head(closing: Bool) -> HTTPResponse {
        var fields: HTTPFields = [.contentType: "application/json; charset=utf-8", .contentLength: String(body.count), .date: HTTPDate.now()]
        for field in headers { fields.append(field) }
        if closing { fields[.connection] = "close" }
        return HTTPResponse(status: status, headerFields: fields)
    }

    func response() -> Response {
        var fields: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        for field in headers { fields.append(field) }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
