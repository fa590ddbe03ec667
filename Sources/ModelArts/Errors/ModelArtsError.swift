import Foundation

/// Every way a ModelArts (or IAM) call can fail, as one error type. It carries what the retry policy and a
/// person need (HTTP status, `error_code`, message, `X-Request-Id`, `Retry-After`) and never a secret:
/// no key, password, token or signature is ever put into it.
public struct ModelArtsError: Error, Sendable, Hashable, CustomStringConvertible {
    fileprivate enum Code: Hashable, Sendable {
        /// The service answered with an error status, or a 2xx whose body reports a failure.
        case http
        /// The request never left: connect refused, DNS failure, TLS handshake failure, pool closed.
        case transportNotSent
        /// The connection failed after the request was (or may have been) written: read timeout, reset,
        /// deadline. The remote may have acted on it.
        case transportMaybeSent
        /// The service answered but we could not read the answer.
        case undecodableResponse
        /// Our own setup is wrong (bad endpoint URL, unreadable CA file, missing credentials).
        case configuration
    }

    /// The kind of failure, for callers that branch on it. Extensible: new kinds may be added.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        fileprivate let code: Code
        public static let http = Kind(code: .http)
        public static let transportNotSent = Kind(code: .transportNotSent)
        public static let transportMaybeSent = Kind(code: .transportMaybeSent)
        public static let undecodableResponse = Kind(code: .undecodableResponse)
        public static let configuration = Kind(code: .configuration)

        public var description: String {
            switch code {
            case .http: "http"
            case .transportNotSent: "transport_not_sent"
            case .transportMaybeSent: "transport_maybe_sent"
            case .undecodableResponse: "undecodable_response"
            case .configuration: "configuration"
            }
        }
    }

    private let code: Code
    public let operation: ModelArtsOperation
    /// The HTTP status, when the service answered.
    public let httpStatus: Int?
    /// `ModelArts.xxxx`, `APIGW.xxxx`, ... from the body, when there was one.
    public let errorCode: String?
    /// What went wrong, from the service's body or our own description of a transport failure.
    public let message: String
    /// `X-Request-Id` (or the gateway body's `request_id`), to quote to support.
    public let requestID: String?
    /// `Retry-After`, when the service sent one.
    public let retryAfter: Duration?
    /// Set when a fresh token was already tried (or there is no token to refresh, as with AK/SK): another
    /// token error then means the credentials are wrong, not stale.
    public let tokenRefreshAttempted: Bool

    private init(
        code: Code, operation: ModelArtsOperation, httpStatus: Int? = nil, errorCode: String? = nil,
        message: String, requestID: String? = nil, retryAfter: Duration? = nil, tokenRefreshAttempted: Bool = false
    ) {
        self.code = code
        self.operation = operation
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.message = message
        self.requestID = requestID
        self.retryAfter = retryAfter
        self.tokenRefreshAttempted = tokenRefreshAttempted
    }

    public var kind: Kind { Kind(code: code) }

    public static func http(
        operation: ModelArtsOperation, status: Int, errorCode: String?, message: String,
        requestID: String?, retryAfter: Duration? = nil
    ) -> ModelArtsError {
        ModelArtsError(code: .http, operation: operation, httpStatus: status, errorCode: errorCode,
                       message: message, requestID: requestID, retryAfter: retryAfter)
    }

    public static func transportNotSent(operation: ModelArtsOperation, message: String) -> ModelArtsError {
        ModelArtsError(code: .transportNotSent, operation: operation, message: message)
    }

    public static func transportMaybeSent(operation: ModelArtsOperation, message: String) -> ModelArtsError {
        ModelArtsError(code: .transportMaybeSent, operation: operation, message: message)
    }

    public static func undecodableResponse(
        operation: ModelArtsOperation, status: Int?, message: String, requestID: String?
    ) -> ModelArtsError {
        ModelArtsError(code: .undecodableResponse, operation: operation, httpStatus: status, message: message,
                       requestID: requestID)
    }

    public static func configuration(operation: ModelArtsOperation, message: String) -> ModelArtsError {
        ModelArtsError(code: .configuration, operation: operation, message: message)
    }

    /// The same error, marked as seen after a token refresh (or with nothing to refresh).
    public func afterTokenRefresh() -> ModelArtsError {
        ModelArtsError(code: code, operation: operation, httpStatus: httpStatus, errorCode: errorCode,
                       message: message, requestID: requestID, retryAfter: retryAfter, tokenRefreshAttempted: true)
    }

    /// The same error with every occurrence of the given secrets blanked out of the message, for messages
    /// that echo what was sent (a server may quote the request back).
    public func redacting(_ secrets: [String]) -> ModelArtsError {
        var scrubbed = message
        for secret in secrets where !secret.isEmpty {
            scrubbed = scrubbed.replacingOccurrences(of: secret, with: "<redacted>")
        }
        return ModelArtsError(code: code, operation: operation, httpStatus: httpStatus, errorCode: errorCode,
                              message: scrubbed, requestID: requestID, retryAfter: retryAfter,
                              tokenRefreshAttempted: tokenRefreshAttempted)
    }

    public var description: String {
        var text = "ModelArts \(operation) failed: "
        switch code {
        case .http:
            text += "HTTP \(httpStatus.map(String.init) ?? "?")"
            if let errorCode { text += " \(errorCode)" }
            text += ": \(message)"
        case .transportNotSent: text += "not sent: \(message)"
        case .transportMaybeSent: text += "connection failed after sending, outcome unknown: \(message)"
        case .undecodableResponse:
            text += "unreadable response"
            if let httpStatus { text += " (HTTP \(httpStatus))" }
            text += ": \(message)"
        case .configuration: text += "configuration: \(message)"
        }
        if let requestID { text += " [request id \(requestID)]" }
        if let retryAfter { text += " [retry after \(retryAfter)]" }
        return text
    }
}
