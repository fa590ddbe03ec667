import JSONTree

/// A validated body for `POST /v2/{project_id}/training-jobs` (errata §4.2). The body is kept as the
/// caller wrote it (ModelArts knows more fields than trainq reads), with `kind` filled in; only the name
/// changes on the way out, because trainq names every job after its submission (`TrainingJobName`).
public struct TrainingJobRequest: Sendable, Hashable {
    /// The caller's document, `kind` defaulted to `job`.
    public let body: JSONValue
    /// The caller's `metadata.name`: the prefix of the name trainq sends.
    public let baseName: String

    init(body: JSONValue, baseName: String) {
        self.body = body
        self.baseName = baseName
    }

    /// The body to send, under `name`.
    public func wireBody(name: String) -> JSONValue {
        var members = body.objectValue ?? [:]
        var metadata = members["metadata"]?.objectValue ?? [:]
        metadata["name"] = .string(name)
        members["metadata"] = .object(metadata)
        return .object(members)
    }

    /// ModelArts' rule for `metadata.name`: 1–64 characters of letters, digits, `_` and `-`.
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy(isNameByte)
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 95 || byte == 45
    }
}
