import Foundation
import Hummingbird
import JSONTree

/// Reads and lightly checks the body of `POST /v2/{project_id}/training-jobs` (reference §4.2): only
/// what the real service certainly rejects. Malformed JSON is 400 ModelArts.2787; a missing `kind` or
/// `metadata.name`, or a name outside 1–64 of `[A-Za-z0-9_-]`, is 400 ModelArts.2788.
enum CreateTrainingJobBody {
    /// A job as a caller asked for it; `body` is kept exactly as sent.
    struct Draft: Sendable {
        var body: JSONValue
        var kind: String
        var name: String
    }

    static func parse(_ buffer: ByteBuffer) throws(ServiceError) -> Draft {
        let document: JSONValue
        do {
            document = try JSONValue.parse(Data(buffer.readableBytesView))
        } catch {
            throw .invalidJSONBody()
        }
        return try validate(document)
    }

    static func validate(_ document: JSONValue) throws(ServiceError) -> Draft {
        guard document.objectValue != nil else { throw .invalidJSONBody() }
        guard let kind = document["kind"]?.stringValue, !kind.isEmpty else {
            throw .invalidTrainingJobParameter("kind is required")
        }
        guard document["metadata"]?.objectValue != nil else { throw .invalidTrainingJobParameter("metadata is required") }
        guard let name = document["metadata"]?["name"]?.stringValue else {
            throw .invalidTrainingJobParameter("metadata.name is required")
        }
        guard isValidName(name) else {
            throw .invalidTrainingJobParameter("metadata.name must be 1-64 characters of letters, digits, '_' and '-'")
        }
        return Draft(body: document, kind: kind, name: name)
    }

    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 95 || byte == 45
            }
    }
}
