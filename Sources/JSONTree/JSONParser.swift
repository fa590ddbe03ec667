/// A strict RFC 8259 parser straight from bytes to `JSONValue`.
///
/// Every request body is parsed once on the intake path, so this one is hand-written: Foundation's
/// `JSONDecoder` builds the tree through `Decodable`, throwing and catching an error for every type it
/// tries, which cost more CPU than the whole SQLite commit. Integers without fraction or exponent that
/// fit in 64 bits stay `.integer`; every other number is a finite `.number`.
struct JSONParser: ~Copyable {
    /// Deeper documents are refused rather than risking the stack (`JSONDecoder` uses the same limit).
    static let maximumDepth = 512

    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    private var depth = 0
    private let rejectsDuplicateKeys: Bool
    /// The members of the objects being parsed, innermost last. An object's dictionary is made once its
    /// size is known: grown one member at a time it was rehashed five times for a list entry's 45 fields.
    private var pendingMembers: [(key: String, offset: Int, value: JSONValue)] = []

    private init(bytes: UnsafeRawBufferPointer, rejectsDuplicateKeys: Bool) {
        self.bytes = bytes
        self.rejectsDuplicateKeys = rejectsDuplicateKeys
    }

    static func parse(_ bytes: UnsafeRawBufferPointer, rejectsDuplicateKeys: Bool) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, rejectsDuplicateKeys: rejectsDuplicateKeys)
        parser.skipWhitespace()
        guard parser.index < bytes.count else { throw JSONParseError(.emptyDocument, at: 0) }
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.unexpected(.trailingCharacters) }
        return value
    }

    // MARK: Values

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw JSONParseError(.unexpectedEnd, at: index) }
        switch bytes[index] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        default: throw unexpected(.unexpectedCharacter)
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object([:])
        }
        let first = pendingMembers.count
        while true {
            skipWhitespace()
            guard try peek() == UInt8(ascii: "\"") else { throw unexpected(.expectedKey) }
            let keyOffset = index
            let key = try parseString()
            skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else { throw unexpected(.expectedColon) }
            index += 1
            skipWhitespace()
            pendingMembers.append((key, keyOffset, try parseValue()))
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return .object(try takeMembers(from: first))
            default: throw unexpected(.expectedCommaOrEnd)
            }
        }
    }

    /// The dictionary of the object whose members start at `first`; a repeated key keeps its last value
    /// unless duplicates are refused.
    private mutating func takeMembers(from first: Int) throws(JSONParseError) -> [String: JSONValue] {
        var members = [String: JSONValue](minimumCapacity: pendingMembers.count - first)
        for member in pendingMembers[first...] {
            if members.updateValue(member.value, forKey: member.key) != nil, rejectsDuplicateKeys {
                throw JSONParseError(.duplicateKey(member.key), at: member.offset)
            }
        }
        pendingMembers.removeSubrange(first...)
        return members
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return .array(elements)
            default: throw unexpected(.expectedCommaOrEnd)
            }
        }
    }

    private mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw JSONParseError(.tooDeep, at: index) }
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        var isIntegral = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, Self.isDigit(bytes[index]) else { throw unexpected(.invalidNumber, from: start) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, Self.isDigit(bytes[index]) { throw JSONParseError(.invalidNumber, at: start) }
        } else {
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isIntegral = false
            index += 1
            guard index < bytes.count, Self.isDigit(bytes[index]) else { throw unexpected(.invalidNumber, from: start) }
            skipDigits()
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            isIntegral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, Self.isDigit(bytes[index]) else { throw unexpected(.invalidNumber, from: start) }
            skipDigits()
        }
        let text = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
        if isIntegral, let integer = Self.int64(text) {
            return .integer(integer)
        }
        guard let number = Double(String(decoding: text, as: UTF8.self)), number.isFinite else {
            throw JSONParseError(.numberOutOfRange, at: start)
        }
        return .number(number)
    }

    /// Exact decimal digits with an optional minus, or nil when they do not fit in 64 bits.
    private static func int64(_ text: UnsafeRawBufferPointer) -> Int64? {
        let negative = text.first == UInt8(ascii: "-")
        var value: Int64 = 0
        for byte in text.dropFirst(negative ? 1 : 0) {
            let digit = Int64(byte &- UInt8(ascii: "0"))
            let (shifted, overflowOnMultiply) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowOnAdd) = negative
                ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflowOnMultiply, !overflowOnAdd else { return nil }
            value = next
        }
        return value
    }

    private mutating func skipDigits() {
        while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    // MARK: Strings

    /// Reads a string starting at its opening quote. Runs without escapes are copied as they are;
    /// the whole string must be valid UTF-8 and may not hold raw control characters.
    private mutating func parseString() throws(JSONParseError) -> String {
        let start = index
        index += 1
        var runStart = index
        var decoded: [UInt8]? = nil
        // Every byte OR-ed together: below 0x80 means the string is ASCII, which needs no validation.
        var seenBits: UInt8 = 0
        while true {
            guard index < bytes.count else { throw JSONParseError(.unterminatedString, at: start) }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                break
            } else if byte == UInt8(ascii: "\\") {
                if decoded == nil { decoded = [] }
                decoded!.append(contentsOf: bytes[runStart..<index])
                try appendEscape(to: &decoded!)
                runStart = index
            } else if byte < 0x20 {
                throw JSONParseError(.controlCharacterInString, at: index)
            } else {
                seenBits |= byte
                index += 1
            }
        }
        let string: String?
        if var decoded {
            decoded.append(contentsOf: bytes[runStart..<index])
            string = String(validating: decoded, as: UTF8.self)
        } else {
            let run = UnsafeBufferPointer(start: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + runStart, count: index - runStart)
            // `String(validating:)` takes a generic path that cost a sixth of a tracking round's CPU;
            // ASCII (nearly every key and value) is valid UTF-8 as it stands.
            string = seenBits < 0x80 ? String(decoding: run, as: UTF8.self) : String(validating: run, as: UTF8.self)
        }
        index += 1
        guard let string else { throw JSONParseError(.invalidUTF8, at: start) }
        return string
    }

    /// Decodes one escape starting at its backslash, including a `\uD8xx\uDCxx` surrogate pair.
    private mutating func appendEscape(to output: inout [UInt8]) throws(JSONParseError) {
        let start = index
        index += 1
        guard index < bytes.count else { throw JSONParseError(.unterminatedString, at: start) }
        let escaped = bytes[index]
        index += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escaped)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"):
            var scalarValue = try readHex4(escapeStart: start)
            if (0xD800..<0xDC00).contains(scalarValue) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw JSONParseError(.loneSurrogate, at: start)
                }
                index += 2
                let low = try readHex4(escapeStart: start)
                guard (0xDC00..<0xE000).contains(low) else { throw JSONParseError(.loneSurrogate, at: start) }
                scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalarValue) {
                throw JSONParseError(.loneSurrogate, at: start)
            }
            // Surrogates were handled above, so every remaining value is a scalar.
            output.append(contentsOf: String(Character(Unicode.Scalar(scalarValue)!)).utf8)
        default:
            throw JSONParseError(.invalidEscape, at: start)
        }
    }

    private mutating func readHex4(escapeStart: Int) throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw JSONParseError(.invalidEscape, at: escapeStart) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONParseError(.invalidEscape, at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    // MARK: Skimming

    /// Reads an object, building only the members named in `keys` (each member's last occurrence) and
    /// checking every other as strictly as `parse` would, without building it. The member named
    /// `expanding`, when it is an array, has each of its elements skimmed the same way for
    /// `elementKeys`, with the element's byte range; when it is anything else it is kept whole.
    /// Nil when the document is valid JSON but not an object.
    static func skim(
        _ bytes: UnsafeRawBufferPointer, keys: [String], expanding: String?, elementKeys: [String]
    ) throws(JSONParseError) -> JSONSkimmedObject? {
        var parser = JSONParser(bytes: bytes, rejectsDuplicateKeys: false)
        parser.skipWhitespace()
        guard parser.index < bytes.count else { throw JSONParseError(.emptyDocument, at: 0) }
        var result: JSONSkimmedObject?
        if bytes[parser.index] == UInt8(ascii: "{") {
            var elements: [JSONSkimmedElement]?
            let members = try parser.skimObject(keys: keys, expanding: expanding, elementKeys: elementKeys, elements: &elements)
            result = JSONSkimmedObject(members: members, elements: elements)
        } else {
            try parser.skipValue()
        }
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.unexpected(.trailingCharacters) }
        return result
    }

    /// The object at the index with only `keys` built; the array member `expanding` goes to `elements`.
    private mutating func skimObject(
        keys: [String], expanding: String? = nil, elementKeys: [String] = [], elements: inout [JSONSkimmedElement]?
    ) throws(JSONParseError) -> [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        let wanted = expanding.map { keys + [$0] } ?? keys
        try walkContainer(closedBy: UInt8(ascii: "}")) { parser throws(JSONParseError) in
            guard try parser.peek() == UInt8(ascii: "\"") else { throw parser.unexpected(.expectedKey) }
            let key = try parser.skimKey(wanted)
            try parser.passColon()
            guard parser.index < parser.bytes.count else { throw JSONParseError(.unexpectedEnd, at: parser.index) }
            if let key, key == expanding, parser.bytes[parser.index] == UInt8(ascii: "[") {
                members[key] = nil
                elements = try parser.skimElements(keys: elementKeys)
            } else if let key {
                if key == expanding { elements = nil }
                members[key] = try parser.parseValue()
            } else {
                try parser.skipValue()
            }
        }
        return members
    }

    /// The array at the index, each object element skimmed for `keys` and every element's bytes located.
    private mutating func skimElements(keys: [String]) throws(JSONParseError) -> [JSONSkimmedElement] {
        var elements: [JSONSkimmedElement] = []
        try walkContainer(closedBy: UInt8(ascii: "]")) { parser throws(JSONParseError) in
            let start = parser.index
            var members: [String: JSONValue]?
            if try parser.peek() == UInt8(ascii: "{") {
                var nested: [JSONSkimmedElement]?
                members = try parser.skimObject(keys: keys, elements: &nested)
            } else {
                try parser.skipValue()
            }
            elements.append(JSONSkimmedElement(members: members, byteRange: start..<parser.index))
        }
        return elements
    }

    /// The object or array at the index: `visit` reads each member (key, colon and value) or element,
    /// and this checks the brackets, the commas and the depth.
    private mutating func walkContainer(
        closedBy close: UInt8, _ visit: (inout JSONParser) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        try enterContainer()
        index += 1
        skipWhitespace()
        if try peek() == close {
            index += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            try visit(&self)
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","): index += 1
            case close:
                index += 1
                depth -= 1
                return
            default: throw unexpected(.expectedCommaOrEnd)
            }
        }
    }

    /// The colon after a member's key, with the whitespace around it.
    private mutating func passColon() throws(JSONParseError) {
        skipWhitespace()
        guard try peek() == UInt8(ascii: ":") else { throw unexpected(.expectedColon) }
        index += 1
        skipWhitespace()
    }

    /// Passes over the key at the index and returns it when it is one of `wanted`. Keys are compared as
    /// bytes, so no `String` is made for the many that are not wanted; one with an escape is decoded.
    private mutating func skimKey(_ wanted: [String]) throws(JSONParseError) -> String? {
        let start = index
        try skipString()
        let content = UnsafeRawBufferPointer(rebasing: bytes[(start + 1)..<(index - 1)])
        guard content.contains(UInt8(ascii: "\\")) else {
            return wanted.first { $0.utf8.count == content.count && $0.utf8.elementsEqual(content) }
        }
        index = start
        let key = try parseString()
        return wanted.contains(key) ? key : nil
    }

    /// Checks the value at the index as strictly as `parseValue` and moves past it, building nothing.
    private mutating func skipValue() throws(JSONParseError) {
        guard index < bytes.count else { throw JSONParseError(.unexpectedEnd, at: index) }
        switch bytes[index] {
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "{"): try skipContainer(closedBy: UInt8(ascii: "}"), keyed: true)
        case UInt8(ascii: "["): try skipContainer(closedBy: UInt8(ascii: "]"), keyed: false)
        // Numbers and literals: nothing to build on the heap.
        default: _ = try parseValue()
        }
    }

    private mutating func skipContainer(closedBy close: UInt8, keyed: Bool) throws(JSONParseError) {
        try walkContainer(closedBy: close) { parser throws(JSONParseError) in
            if keyed {
                guard try parser.peek() == UInt8(ascii: "\"") else { throw parser.unexpected(.expectedKey) }
                try parser.skipString()
                try parser.passColon()
            }
            try parser.skipValue()
        }
    }

    /// A string checked and passed over. One with an escape or a non-ASCII byte goes through
    /// `parseString`, which checks both; the rest, nearly all, is a scan for the closing quote.
    private mutating func skipString() throws(JSONParseError) {
        let start = index
        index += 1
        while true {
            guard index < bytes.count else { throw JSONParseError(.unterminatedString, at: start) }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return
            } else if byte == UInt8(ascii: "\\") || byte >= 0x80 {
                index = start
                _ = try parseString()
                return
            } else if byte < 0x20 {
                throw JSONParseError(.controlCharacterInString, at: index)
            }
            index += 1
        }
    }

    // MARK: Helpers

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let start = index
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw JSONParseError(.unexpectedEnd, at: start) }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] {
            throw JSONParseError(.unexpectedCharacter, at: start)
        }
        index += count
    }

    private func peek() throws(JSONParseError) -> UInt8 {
        guard index < bytes.count else { throw JSONParseError(.unexpectedEnd, at: index) }
        return bytes[index]
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }

    private func unexpected(_ kind: JSONParseError.Kind, from start: Int? = nil) -> JSONParseError {
        guard index < bytes.count else { return JSONParseError(.unexpectedEnd, at: index) }
        if let start { return JSONParseError(kind, at: start) }
        return JSONParseError(kind, at: index, byte: bytes[index])
    }
}
