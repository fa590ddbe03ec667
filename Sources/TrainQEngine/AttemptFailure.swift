import ModelArts

/// A failed create, reduced to what the engine decides on and what the submission's story records.
public struct AttemptFailure: Error, Hashable {
    public var errorClass: ErrorClass
    public var httpStatus: Int?
    public var errorCode: String?
    public var message: String
    public var requestID: String?
    public var hints: RetryHint

    public init(
        errorClass: ErrorClass, httpStatus: Int? = nil, errorCode: String? = nil, message: String,
        requestID: String? = nil, hints: RetryHint = RetryHint()
    ) {
        self.errorClass = errorClass
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.message = message
        self.requestID = requestID
        self.hints = hints
    }

    /// "ModelArts.4700 (HTTP 503): platform upgrading", for reasons and logs.
    public var summary: String {
        var head = errorCode ?? "error"
        if let httpStatus { head += " (HTTP \(httpStatus))" }
        return "\(head): \(message)"
    }
}

extension AttemptFailure {
    /// A failed call, classified in the one place that classifies (`ErrorClassification`).
    public init(_ error: ModelArtsError) {
        self.init(
            errorClass: error.errorClass, httpStatus: error.httpStatus, errorCode: error.errorCode,
            message: error.message, requestID: error.requestID, hints: error.retryHint
        )
    }
}
