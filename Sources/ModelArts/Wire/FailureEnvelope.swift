import Foundation
import JSONTree

/// The error fields of a response body, whichever of the known shapes it has (reference §4.1): the v1
/// backend's `error_code`/`error_message`, the gateway's `error_code`/`error_msg`/`request_id`, and the
/// `errorCode`/`errorMsg` and `code`/`message` pairs the SDK also recognises.
public struct FailureEnvelope: Sendable, Hashable {
    public var isSuccess: Bool?
    public var errorCode: String?
    public var errorMessage: String?
    public var requestID: String?

    public init(isSuccess: Bool? = nil, errorCode: String? = nil, errorMessage: String? = nil, requestID: String? = nil) {
        self.isSuccess = isSuccess
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.requestID = requestID
        self.hasV1ErrorCode = errorCode != nil
    }

    /// Reads the envelope from any body; `nil` when the body is not a JSON object. Every answer is read
    /// for it, success or not, so only its members are built: a list of a hundred versions is checked
    /// and passed over, not built a second time.
    public static func parse(_ body: Data) -> FailureEnvelope? {
        guard let skimmed = try? JSONValue.skim(body, keys: members) else { return nil }
        return FailureEnvelope(LenientObject(skimmed.members, context: "error body"))
    }

    /// The members `init(_:)` reads.
    static let members = [
        "is_success", "error_code", "errorCode", "code", "error_message", "error_msg", "errorMsg", "message", "request_id", "error",
    ]

    public init(_ object: LenientObject) {
        // Keystone-style IAM errors nest theirs: {"error": {"code": 401, "message": ..., "title": ...}}.
        let nested = object.members["error"]?.objectValue.map { LenientObject($0, context: object.context) }
        isSuccess = object.bool("is_success")
        errorCode = object.string("error_code") ?? object.string("errorCode") ?? object.string("code")
            ?? nested?.string("code")
        errorMessage = object.string("error_message") ?? object.string("error_msg")
            ?? object.string("errorMsg") ?? object.string("message") ?? nested?.string("message")
        requestID = object.string("request_id")
        hasV1ErrorCode = object.string("error_code") != nil
    }

    /// Only the v1/gateway `error_code` field counts as a failure signal in a 2xx body; a success body
    /// may well have some other `code` member.
    private var hasV1ErrorCode = false

    /// The body says the call failed: `is_success: false`, or an `error_code` without `is_success: true`.
    /// Used on HTTP 2xx answers, where v1 might report a failure in the body (UNVERIFIED; safer to check).
    public var reportsFailure: Bool {
        if isSuccess == false { return true }
        return isSuccess != true && hasV1ErrorCode
    }
}
