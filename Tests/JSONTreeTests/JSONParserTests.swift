import Foundation
import Testing
import JSONTree

@Suite struct JSONParserTests {
    private func parse(_ text: String, rejectingDuplicateKeys: Bool = false) throws(JSONParseError) -> JSONValue {
        try JSONValue.parse(Data(text.utf8), rejectingDuplicateKeys: rejectingDuplicateKeys)
    }

    private func failure(_ text: String) -> JSONParseError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    private func failure(bytes: [UInt8]) -> JSONParseError? {
        do {
            _ = try JSONValue.parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsEveryKindOfValue() throws {
        let value = try parse(#" {"s": "x", "i": -42, "f": 0.5, "e": 1e3, "t": true, "n": null, "a": [1, [], {}], "o": {"k": false}} "#)
        #expect(value == .object([
            "s": .string("x"), "i": .integer(-42), "f": .number(0.5), "e": .number(1000), "t": .bool(true), "n": .null,
            "a": .array([.integer(1), .array([]), .object([:])]), "o": .object(["k": .bool(false)]),
        ]))
        #expect(try parse("7") == .integer(7))
        #expect(try parse("\"top\"") == .string("top"))
    }

    @Test func integersStayExactAndOnlyOverflowBecomesANumber() throws {
        #expect(try parse("9223372036854775807") == .integer(.max))
        #expect(try parse("-9223372036854775808") == .integer(.min))
        #expect(try parse("9223372036854775808") == .number(9_223_372_036_854_775_808))
        #expect(try parse("-0") == .integer(0))
        #expect(try parse("1.0") == .number(1))
        #expect(try parse("2E-2") == .number(0.02))
    }

    @Test(arguments: ["1e400", "-1e400", String(repeating: "9", count: 400)])
    func numbersBeyondADoubleAreRefused(text: String) {
        #expect(failure(text)?.kind == .numberOutOfRange)
    }

    @Test(arguments: ["01", "-", "1.", ".5", "1e", "1e+", "+1", "0x10", "NaN", "Infinity", "-.5"])
    func malformedNumbersAreRefused(text: String) {
        #expect(failure(text) != nil)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{08}\u{0C}\n\r\t"))
        #expect(try parse(#""\u00e9\u4e2d\ud83d\ude00""#) == .string("é中😀"))
        #expect(try parse(#""plain 夜间 text""#) == .string("plain 夜间 text"))
    }

    @Test func refusesBrokenStrings() {
        #expect(failure(#""\ud83d""#)?.kind == .loneSurrogate)
        #expect(failure(#""\ude00x""#)?.kind == .loneSurrogate)
        #expect(failure(#""\ud83d\u0041""#)?.kind == .loneSurrogate)
        #expect(failure(#""\x""#)?.kind == .invalidEscape)
        #expect(failure(#""\u12g4""#)?.kind == .invalidEscape)
        #expect(failure("\"tab\there\"")?.kind == .controlCharacterInString)
        #expect(failure(#""open"#)?.kind == .unterminatedString)
        #expect(failure(bytes: [0x22, 0xC3, 0x28, 0x22])?.kind == .invalidUTF8)
        #expect(failure(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22])?.kind == .invalidUTF8)
    }

    @Test func refusesBrokenStructure() {
        #expect(failure("")?.kind == .emptyDocument)
        #expect(failure("   ")?.kind == .emptyDocument)
        #expect(failure(#"{"a": 1} x"#)?.kind == .trailingCharacters)
        #expect(failure(#"{"a" 1}"#)?.kind == .expectedColon)
        #expect(failure(#"{a: 1}"#)?.kind == .expectedKey)
        #expect(failure(#"{"a": 1,}"#)?.kind == .expectedKey)
        #expect(failure("[1 2]")?.kind == .expectedCommaOrEnd)
        #expect(failure("[1,]")?.kind == .unexpectedCharacter)
        #expect(failure(#"{"a": "#)?.kind == .unexpectedEnd)
        #expect(failure("tru")?.kind == .unexpectedEnd)
        #expect(failure("nul1")?.kind == .unexpectedCharacter)
    }

    @Test func errorsSayWhatAndWhere() {
        #expect(failure(#"{"engine_type": ,}"#)?.description == "unexpected ',' at byte 16")
        #expect(failure("[1]]")?.description == "unexpected ']' after the end of the document at byte 3")
    }

    @Test func depthIsLimitedWithoutExhaustingTheStack() throws {
        let limit = 512
        #expect(try parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit)) != .null)
        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(failure(tooDeep)?.kind == .tooDeep)
        #expect(failure(String(repeating: "{\"a\":", count: 120_000))?.kind == .tooDeep)
    }

    @Test func duplicateKeysKeepTheLastValueUnlessRefused() throws {
        #expect(try parse(#"{"a": 1, "a": 2}"#) == .object(["a": .integer(2)]))
        do {
            _ = try parse(#"{"a": 1, "a": 2}"#, rejectingDuplicateKeys: true)
            Issue.record("a duplicate key was accepted")
        } catch {
            #expect(error.kind == .duplicateKey("a") && error.offset == 9)
        }
    }

    @Test func canonicalBytesSortKeysAndEscapeOnlyWhatJSONNeeds() throws {
        let value = try parse(#"{"b": [1, 2.5, -0.0, 1e300], "a": "x/\"\\\n\u0001é", "B": null, "_": true}"#)
        #expect(String(decoding: value.canonicalBytes(), as: UTF8.self)
            == #"{"B":null,"_":true,"a":"x/\"\\\n\u0001é","b":[1,2.5,-0.0,1e+300]}"#)
    }

    /// Agrees with Foundation's decoder on generated documents, and writing then reading gives the same tree.
    @Test func agreesWithFoundationAndRoundTrips() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let value = Self.randomValue(depth: 0, using: &generator)
            let written = value.canonicalBytes()
            let reread = try JSONValue.parse(written)
            #expect(reread == value)
            #expect(reread.canonicalBytes() == written)
            let pretty = try JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: Data(written), options: .fragmentsAllowed), options: [.fragmentsAllowed, .prettyPrinted])
            let foundation = try JSONDecoder().decode(JSONValue.self, from: pretty)
            #expect(try JSONValue.parse(pretty).canonicalBytes() == foundation.canonicalBytes())
        }
    }

    /// Skimming reads the members asked for exactly as parsing does, locates every element of the
    /// expanded array so that parsing its bytes gives the element, and accepts and refuses the same
    /// documents (random trees, written compactly and with Foundation's pretty printing).
    @Test func skimmingAgreesWithParsing() throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<300 {
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0..<6, using: &generator) {
                members[Self.randomString(using: &generator)] = Self.randomValue(depth: 1, using: &generator)
            }
            let elements = (0..<Int.random(in: 0..<5, using: &generator)).map { _ in Self.randomValue(depth: 1, using: &generator) }
            members["list"] = round % 7 == 0 ? Self.randomValue(depth: 1, using: &generator) : .array(elements)
            let document = JSONValue.object(members)
            let keys = Array(members.keys.shuffled(using: &generator).prefix(2)) + ["absent"]
            let elementKeys = elements.compactMap { $0.objectValue?.keys.first } + ["absent"]
            var written = document.canonicalBytes()
            if round % 2 == 1 {
                written = Array(try JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: Data(written)), options: .prettyPrinted))
            }
            // Compared with a full parse of the same bytes (pretty printing may write 520.0 as 520).
            members = try #require(try JSONValue.parse(written).objectValue)
            let skimmed = try #require(try JSONValue.skim(written, keys: keys, expanding: "list", elementKeys: elementKeys))
            let listIsArray = members["list"]?.arrayValue != nil
            #expect(skimmed.members == members.filter { $0.key == "list" ? !listIsArray : keys.contains($0.key) })
            if case .array(let expected) = members["list"] {
                let located = try #require(skimmed.elements)
                #expect(located.count == expected.count)
                for (element, value) in zip(located, expected) {
                    #expect(try JSONValue.parse(Array(written[element.byteRange])) == value)
                    #expect(element.members == value.objectValue?.filter { elementKeys.contains($0.key) })
                }
            } else {
                #expect(skimmed.elements == nil)
            }
        }
    }

    @Test func skimmingRefusesWhatParsingRefuses() throws {
        let broken = [
            "", #"{"a": 1} x"#, #"{"a" 1}"#, #"{a: 1}"#, #"{"a": 1,}"#, #"{"list": [1 2]}"#, #"{"list": [{"k": tru}]}"#,
            #"{"skipped": "\x"}"#, "{\"skipped\": \"tab\there\"}", #"{"skipped": "open"#, #"{"skipped": {"k": [1,]}}"#,
            #"{"list": [{"skipped": "\ud83d"}]}"#, #"{"skipped": 01}"#,
        ]
        for text in broken {
            #expect(throws: JSONParseError.self, "\(text)") {
                try JSONValue.skim(Data(text.utf8), keys: ["a"], expanding: "list", elementKeys: ["k"])
            }
            #expect(throws: JSONParseError.self, "\(text)") { try JSONValue.parse(Data(text.utf8)) }
        }
        let invalidUTF8: [UInt8] = Array(#"{"skipped": ""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: JSONParseError.self) { try JSONValue.skim(invalidUTF8, keys: [], expanding: "list", elementKeys: []) }
        let tooDeep = "{\"skipped\": " + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}"
        #expect(throws: JSONParseError.self) { try JSONValue.skim(Data(tooDeep.utf8), keys: [], expanding: "list", elementKeys: []) }
        // Valid JSON that is not an object; escaped keys still match; the last of a repeated key wins.
        #expect(try JSONValue.skim(Data("[1]".utf8), keys: [], expanding: "list", elementKeys: []) == nil)
        let escaped = try #require(
            try JSONValue.skim(Data(#"{"\u0061": 1, "list": [{"\u006b": 2}], "a": 3}"#.utf8), keys: ["a"], expanding: "list", elementKeys: ["k"]))
        #expect(escaped.members == ["a": .integer(3)])
        #expect(escaped.elements?.first?.members == ["k": .integer(2)])
    }

    private static func randomValue(depth: Int, using generator: inout SystemRandomNumberGenerator) -> JSONValue {
        let choice = Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &generator)
        switch choice {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .integer(Int64.random(in: -1_000_000...1_000_000, using: &generator))
        case 3: return .number(Double(Int.random(in: -99_999...99_999, using: &generator)) / 64 + 0.5)
        case 4: return .string(randomString(using: &generator))
        case 5:
            return .array((0..<Int.random(in: 0..<4, using: &generator)).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0..<5, using: &generator) {
                members[randomString(using: &generator)] = randomValue(depth: depth + 1, using: &generator)
            }
            return .object(members)
        }
    }

    private static func randomString(using generator: inout SystemRandomNumberGenerator) -> String {
        let alphabet: [Character] = ["a", "Z", "_", "0", " ", "\"", "\\", "/", "\n", "\u{01}", "é", "中", "😀"]
        return String((0..<Int.random(in: 0..<8, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
