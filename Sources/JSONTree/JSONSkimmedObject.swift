import Foundation

/// An object read for a few members (`JSONValue.skim`): the rest was checked and passed over, never
/// built. The tracker reads four members of each of the thousands of version entries a list call
/// returns every second, and needs a whole entry only when its version ends.
public struct JSONSkimmedObject: Sendable, Hashable {
    /// The members asked for that the object has.
    public var members: [String: JSONValue]
    /// The elements of the expanded member, when it is an array; nil when it is absent or not an array
    /// (then it is in `members`, whole).
    public var elements: [JSONSkimmedElement]?
}

/// One element of a skimmed array.
public struct JSONSkimmedElement: Sendable, Hashable {
    /// The members asked for, when the element is an object; nil for any other value.
    public var members: [String: JSONValue]?
    /// Where the element lies in the document: parse these bytes for all of it.
    public var byteRange: Range<Int>
}

extension JSONValue {
    /// Reads a JSON object document, building only the members named in `keys` and, of the array member
    /// `expanding` if one is named, only `elementKeys` of each object element, with the element's byte
    /// range. The
    /// document is checked as strictly as `parse` checks it (duplicate keys are allowed, the last one
    /// wins). Nil when the document is valid JSON but not an object.
    public static func skim(
        _ data: some ContiguousBytes, keys: [String], expanding: String? = nil, elementKeys: [String] = []
    ) throws(JSONParseError) -> JSONSkimmedObject? {
        let result: Result<JSONSkimmedObject?, JSONParseError> = data.withUnsafeBytes { bytes in
            Result { () throws(JSONParseError) -> JSONSkimmedObject? in
                try JSONParser.skim(bytes, keys: keys, expanding: expanding, elementKeys: elementKeys)
            }
        }
        return try result.get()
    }
}
