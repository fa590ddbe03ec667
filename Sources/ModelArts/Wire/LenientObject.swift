import Foundation
import JSONTree

/// Read access to a response object that forgives what the service is known to do (reference §2.4, §2.6):
/// numbers sent as strings, strings sent as numbers, JSON sent as a string, `null` for absent, and fields
/// nobody documented. A value of an unusable type reads as absent rather than failing the whole response;
/// only the fields a caller cannot do without are required (and then named in the error).
public struct LenientObject: Sendable, Hashable {
    public let members: [String: JSONValue]
    /// What is being decoded, for error messages ("version detail").
    let context: String

    public init(_ members: [String: JSONValue], context: String) {
        self.members = members
        self.context = context
    }

    /// Parses a body and requires a JSON object at the top.
    public init(body: Data, context: String) throws(WireDecodingError) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(body)
        } catch {
            throw WireDecodingError(context: context, problem: "body is not valid JSON (\(Self.describe(error)))")
        }
        try self.init(value, context: context)
    }

    public init(_ value: JSONValue, context: String) throws(WireDecodingError) {
        guard let members = value.objectValue else {
            throw WireDecodingError(context: context, problem: "expected a JSON object, got \(value.typeName)")
        }
        self.init(members, context: context)
    }

    private func value(_ key: String) -> JSONValue? {
        guard let value = members[key] else { return nil }
        if case .null = value { return nil }
        return value
    }

    public func int64(_ key: String) -> Int64? {
        value(key).flatMap(Self.int64(from:))
    }

    public func int(_ key: String) -> Int? {
        int64(key).flatMap { Int(exactly: $0) }
    }

    public func string(_ key: String) -> String? {
        switch value(key) {
        case .string(let string): string
        case .integer(let integer): String(integer)
        case .number(let number): Self.format(number)
        case .bool(let bool): String(bool)
        default: nil
        }
    }

    public func bool(_ key: String) -> Bool? {
        switch value(key) {
        case .bool(let bool): bool
        case .string(let string):
            switch string.lowercased() {
            case "true": true
            case "false": false
            default: nil
            }
        case .integer(let integer) where integer == 0 || integer == 1: integer == 1
        default: nil
        }
    }

    /// A member that should be JSON: an object or array as is, or a string holding JSON (the list call
    /// sends `system_metric_list` that way). A string that is not JSON is kept as a string.
    public func embeddedJSON(_ key: String) -> JSONValue? {
        guard let value = value(key) else { return nil }
        if case .string(let text) = value {
            // JSON's own whitespace is all the parser skips; a string of anything else is not JSON.
            let utf8 = text.utf8
            guard let first = utf8.first(where: { !Self.isJSONWhitespace($0) }), first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
            else { return value }
            return (try? JSONValue.parse(Data(utf8))) ?? value
        }
        return value
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// A nested object, read as leniently as this one.
    public func object(_ key: String) -> LenientObject? {
        embeddedJSON(key)?.objectValue.map { LenientObject($0, context: context + "." + key) }
    }

    /// An array of objects; non-object elements are skipped.
    public func objects(_ key: String) -> [LenientObject]? {
        guard let value = embeddedJSON(key), let elements = value.arrayValue else { return nil }
        return elements.compactMap { $0.objectValue.map { LenientObject($0, context: context + "." + key) } }
    }

    public func requiredInt64(_ key: String) throws(WireDecodingError) -> Int64 {
        guard let raw = value(key) else { throw WireDecodingError(context: context, problem: "missing \(key)") }
        guard let integer = Self.int64(from: raw) else {
            throw WireDecodingError(context: context, problem: "\(key) is not an integer (got \(raw.typeName))")
        }
        return integer
    }

    // MARK: - Conversions

    static func int64(from value: JSONValue) -> Int64? {
        switch value {
        case .integer(let integer): return integer
        case .number(let number): return integral(number)
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if let integer = Int64(trimmed) { return integer }
            return Double(trimmed).flatMap(integral)
        default: return nil
        }
    }

    private static func integral(_ number: Double) -> Int64? {
        guard number.isFinite, number.rounded() == number else { return nil }
        return Int64(exactly: number)
    }

    private static func format(_ number: Double) -> String {
        if let integer = integral(number) { return String(integer) }
        return String(number)
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context):
            if let underlying = context.underlyingError { return "\(context.debugDescription) \(underlying)" }
            return context.debugDescription
        default:
            return String(describing: error)
        }
    }
}
