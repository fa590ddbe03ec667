import HTTPTypes
import Hummingbird
import TrainQAPI

/// An error the socket API answers with: an HTTP status and the one error envelope (DESIGN §4).
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var envelope: ErrorEnvelope
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ kind: ErrorKind, _ message: String, details: [FieldProblem] = []) {
        self.status = status
        self.envelope = ErrorEnvelope(kind: kind, message: message, details: details)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try rendered().response()
    }

    func rendered() throws -> RenderedResponse {
        var rendered = try JSONResponse(envelope, status: status).rendered()
        rendered.headers = headers
        return rendered
    }
}

extension APIError {
    static func notFound(_ what: String) -> APIError { APIError(.notFound, .notFound, what) }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, .badRequest, message) }

    static func invalidState(_ message: String) -> APIError { APIError(.conflict, .invalidState, message) }

    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, .forbidden, message) }

    /// Both HTTP paths refuse a body over `socket.max_body_bytes` with this.
    static let bodyTooLarge = APIError(.contentTooLarge, .payloadTooLarge, "the request body is larger than the limit")

    static func storeUnavailable(_ message: String) -> APIError {
        APIError(.serviceUnavailable, .storeUnavailable, message)
    }
}
