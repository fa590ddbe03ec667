import Foundation
import JSONTree

extension CreateVersionRequest {
    /// Validates raw JSON bytes (a stored request, a file the CLI read): bytes that are not JSON give one
    /// violation on `body` instead of an exception.
    public static func validate(
        json data: Data,
        fieldPrefix: String = "",
        allowedExtraKeys: Set<String> = []
    ) -> Result<CreateVersionRequest, RequestValidationError> {
        let document: JSONValue
        do {
            document = try JSONValue.parse(data)
        } catch {
            return .failure(RequestValidationError(violations: [
                .init(field: fieldPrefix.isEmpty ? "body" : fieldPrefix, problem: "not valid JSON (\(LenientObject.describe(error)))"),
            ]))
        }
        return validate(document, fieldPrefix: fieldPrefix, allowedExtraKeys: allowedExtraKeys)
    }
}
