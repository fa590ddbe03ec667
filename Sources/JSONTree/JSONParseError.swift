/// Why a document is not JSON, and where: the byte offset is what a caller needs to find the mistake.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case emptyDocument
        case unexpectedEnd
        case unexpectedCharacter
        case trailingCharacters
        case expectedKey
        case expectedColon
        case expectedCommaOrEnd
        case invalidNumber
        case numberOutOfRange
        case unterminatedString
        case controlCharacterInString
        case invalidEscape
        case loneSurrogate
        case invalidUTF8
        case tooDeep
        case duplicateKey(String)
    }

    public let kind: Kind
    /// Zero-based offset of the byte where the problem starts.
    public let offset: Int
    /// The offending byte, when there is one worth showing.
    public let byte: UInt8?

    init(_ kind: Kind, at offset: Int, byte: UInt8? = nil) {
        self.kind = kind
        self.offset = offset
        self.byte = byte
    }

    public var description: String {
        let what: String = switch kind {
        case .emptyDocument: "the document is empty"
        case .unexpectedEnd: "the document ends too early"
        case .unexpectedCharacter: "unexpected \(shownByte)"
        case .trailingCharacters: "unexpected \(shownByte) after the end of the document"
        case .expectedKey: "expected a quoted key, found \(shownByte)"
        case .expectedColon: "expected ':' after a key, found \(shownByte)"
        case .expectedCommaOrEnd: "expected ',' or the end of the container, found \(shownByte)"
        case .invalidNumber: "malformed number"
        case .numberOutOfRange: "number out of range"
        case .unterminatedString: "unterminated string"
        case .controlCharacterInString: "control character in a string (escape it)"
        case .invalidEscape: "invalid escape sequence"
        case .loneSurrogate: "unpaired UTF-16 surrogate in a \\u escape"
        case .invalidUTF8: "string is not valid UTF-8"
        case .tooDeep: "nested deeper than \(JSONParser.maximumDepth) levels"
        case .duplicateKey(let key): "duplicate key '\(key)'"
        }
        return "\(what) at byte \(offset)"
    }

    private var shownByte: String {
        guard let byte else { return "character" }
        if (0x21..<0x7F).contains(byte) { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }
}
