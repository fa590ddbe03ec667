import Foundation
import Hummingbird
import JSONTree

/// Builds JSON answers.
enum JSONResponse {
    static func make(_ status: HTTPResponse.Status = .ok, _ body: JSONValue, headers: HTTPFields = [:]) -> Response {
        make(status, data: body.canonicalData(), headers: headers)
    }

    static func make(_ status: HTTPResponse.Status = .ok, encoding body: some Encodable, headers: HTTPFields = [:]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Our own Encodable models hold only strings, numbers and booleans: encoding cannot fail.
        let data = (try? encoder.encode(body)) ?? Data("{}".utf8)
        return make(status, data: data, headers: headers)
    }

    private static func make(_ status: HTTPResponse.Status, data: Data, headers: HTTPFields) -> Response {
        var headers = headers
        headers[.contentType] = "application/json;charset=UTF-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
