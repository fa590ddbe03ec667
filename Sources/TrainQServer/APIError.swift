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
        var response = try JSONResponse(envelope).response(from: request, context: context)
        response.status = status
        for field in headers { response.headers.append(field) }
        return response
    }
}

extension APIError {
    static func notFound(_ what: String) -> APIError { APIError(.notFound, .notFound, what) }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, .badRequest, message) }

    static func invalidState(_ message: String) -> APIError { APIError(.conflict, .invalidState, message) }

    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, .forbidden, message) }

    static func storeUnavailable(_ message: String) -> APIError {
        APIError(.serviceUnavailable, .storeUnavailable, message)
    }
}
