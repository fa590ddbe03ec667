import Hummingbird
import JSONTree

extension ServiceError {
    /// The answer, in the body shape of the layer that produced the error.
    func response(requestID: String) -> Response {
        let body: JSONValue =
            switch shape {
            case .gateway:
                .object(["error_code": .string(errorCode), "error_msg": .string(message), "request_id": .string(requestID)])
            case .backend:
                .object(["is_success": .bool(false), "error_code": .string(errorCode), "error_message": .string(message)])
            case .trainingJob:
                .object(["error_msg": .string(message), "error_code": .string(errorCode), "error_solution": .string(solution)])
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
