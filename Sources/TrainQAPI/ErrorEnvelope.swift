/// The one error shape of the socket API:
/// `{"error": {"kind": "validation_failed", "message": "...", "details": [{"field": ..., "problem": ...}]}}`.
public struct ErrorEnvelope: Sendable, Codable, Hashable, Error {
    public var error: Body

    public init(kind: ErrorKind, message: String, details: [FieldProblem] = []) {
        self.error = Body(kind: kind, message: message, details: details)
    }

    public struct Body: Sendable, Codable, Hashable {
        public var kind: ErrorKind
        public var message: String
        public var details: [FieldProblem]
    }
}

/// One violated rule, with the path of the field it concerns (`config.app_url`, `config.parameter[1].label`).
public struct FieldProblem: Sendable, Codable, Hashable {
    public var field: String
    public var problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }
}

/// Stable machine-readable error kinds. Scripts branch on these; never rename one.
public enum ErrorKind: String, Sendable, Codable, Hashable, CaseIterable {
    case validationFailed = "validation_failed"
    case invalidJSON = "invalid_json"
    case unsupportedMediaType = "unsupported_media_type"
    case payloadTooLarge = "payload_too_large"
    case idempotencyConflict = "idempotency_conflict"
    case invalidState = "invalid_state"
    case badRequest = "bad_request"
    case notFound = "not_found"
    case methodNotAllowed = "method_not_allowed"
    case forbidden = "forbidden"
    case unauthenticated = "unauthenticated"
    case storeUnavailable = "store_unavailable"
    /// ModelArts could not be asked (stopping a version, checking a version to adopt).
    case remoteUnavailable = "remote_unavailable"
    case shuttingDown = "shutting_down"
    case internalError = "internal_error"
    /// Never from trainqd itself: `trainq dashboard`'s relay could not reach the daemon's socket.
    case daemonUnavailable = "daemon_unavailable"
}
