import Foundation

/// A JSON document as a value tree.
///
/// Request validation needs to see exactly what the caller sent (wrong types, unknown keys, integers
/// versus fractions) before any typed decoding happens, and the socket API echoes stored requests
/// back verbatim. Integers are kept apart from fractions so 64-bit ids survive untouched.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

extension JSONValue {
    /// The JSON type name used in error messages ("expected integer, got string").
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { members } else { nil }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { elements } else { nil }
    }

    public var stringValue: String? {
        if case .string(let string) = self { string } else { nil }
    }

    public var int64Value: Int64? {
        if case .integer(let integer) = self { integer } else { nil }
    }

    public var boolValue: Bool? {
        if case .bool(let bool) = self { bool } else { nil }
    }
}

extension JSONValue: Codable {
    /// Decoding through `Decodable` is for a `JSONValue` inside a `Codable` type; whole documents go
    /// through `parse`, which is much faster.
    public init(from decoder: any Decoder) throws {
        // Each failed attempt allocates and throws a DecodingError, so the common types come first: strings
        // (most of a request), then integers, objects and arrays. Integers must stay before fractions.
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let integer = try? container.decode(Int64.self) {
            self = .integer(integer)
        } else if let object = try? container.decode([String: JSONValue].self) {
            self = .object(object)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let bool): try container.encode(bool)
        case .integer(let integer): try container.encode(integer)
        case .number(let number): try container.encode(number)
        case .string(let string): try container.encode(string)
        case .array(let array): try container.encode(array)
        case .object(let object): try container.encode(object)
        }
    }
}

extension JSONValue {
    /// Parses a complete JSON document (RFC 8259, at most 512 levels deep). Throws `JSONParseError`.
    ///
    /// `rejectingDuplicateKeys` refuses an object that names a key twice instead of keeping the last
    /// value: right for requests, where a silently dropped field would surprise the caller.
    public static func parse(_ data: some ContiguousBytes, rejectingDuplicateKeys: Bool = false) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = data.withUnsafeBytes { bytes in
            Result { () throws(JSONParseError) -> JSONValue in
                try JSONParser.parse(bytes, rejectsDuplicateKeys: rejectingDuplicateKeys)
            }
        }
        return try result.get()
    }

    /// Canonical bytes: sorted keys, no extra whitespace. Equal documents give equal bytes,
    /// which is what idempotency-key replays compare.
    public func canonicalBytes() -> [UInt8] {
        var writer = JSONWriter()
        writer.write(self)
        return writer.bytes
    }

    public func canonicalData() -> Data {
        Data(canonicalBytes())
    }
}
