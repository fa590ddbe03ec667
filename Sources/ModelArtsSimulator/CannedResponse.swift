import Hummingbird

/// A scripted answer (fault kind `respond`): the status and body bytes exactly as configured.
struct CannedResponse: Error {
    var status: Int
    var body: String

    var response: Response {
        var headers: HTTPFields = [:]
        headers[.contentType] = "application/json;charset=UTF-8"
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
