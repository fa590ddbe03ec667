import Foundation
import Hummingbird
import TrainQAPI

/// A JSON body encoded with the socket API's coding rules (ISO 8601 times with milliseconds, sorted keys):
/// written by hand for the types that can (`APIJSONWritable`), through `JSONEncoder` for the rest.
struct JSONResponse<Value: Encodable & Sendable>: ResponseGenerator {
    var value: Value
    var status: HTTPResponse.Status = .ok

    init(_ value: Value, status: HTTPResponse.Status = .ok) {
        self.value = value
        self.status = status
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try rendered().response()
    }

    func rendered() throws -> RenderedResponse {
        let bytes: [UInt8]
        if let writable = value as? any APIJSONWritable {
            bytes = writable.apiJSONBytes()
        } else {
            var data = try APICoding.encoder().encode(value)
            data.append(UInt8(ascii: "\n"))
            bytes = Array(data)
        }
        return RenderedResponse(status: status, body: bytes)
    }
}
