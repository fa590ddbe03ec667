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

extension ServiceError {
    /// The answer, in the body shape of the layer that produced the error.
    func response(requestId: String) -> Response {
        let body: JSONValue =
            switch shape {
            case .gateway:
                .object(["error_code": .string(errorCode), "error_msg": .string(message), "request_id": .string(requestId)])
            case .backend:
                .object(["is_success": .bool(false), "error_code": .string(errorCode), "error_message": .string(message)])
            case .iam:
                .object(["error": .object([
                    "code": .integer(Int64(status.code)), "title": .string(title), "message": .string(message),
                ])])
            case .control:
                .object(["error": .string(message)])
            }
        var headers: HTTPFields = [:]
        if let retryAfter {
            headers[.retryAfter] = String(retryAfter)
        }
        return JSONResponse.make(status, body, headers: headers)
    }
}
