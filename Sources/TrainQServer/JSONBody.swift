import HTTPTypes
import JSONTree
import NIOCore
import TrainQAPI

/// A request body that must be one JSON document: the one place that says what counts as JSON here
/// (`application/json`, no key twice in an object), for every route that reads a body.
enum JSONBody {
    static func parse(_ body: ByteBuffer, contentType: String?) throws(APIError) -> JSONValue {
        if let contentType, !contentType.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, .unsupportedMediaType, "the body must be JSON (Content-Type: application/json), not '\(contentType)'")
        }
        do {
            return try body.withUnsafeReadableBytes { bytes in
                try JSONValue.parse(UnsafeRawBufferPointer(bytes), rejectingDuplicateKeys: true)
            }
        } catch {
            throw APIError(.badRequest, .invalidJSON, "the body is not valid JSON: \(error)")
        }
    }
}
