import Foundation
import JSONTree

/// Seeded generation for property tests (SplitMix64): each test runs a fixed number of cases from a
/// printed seed, so a failure names the seed and case that reproduce it.
struct PropertyRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func bool() -> Bool { Bool.random(using: &self) }
    mutating func pick<T>(_ choices: [T]) -> T { choices[int(0...(choices.count - 1))] }

    /// Text from a mix of alphabets: ASCII, reserved URL characters, accents, CJK, emoji and controls.
    mutating func text(maxLength: Int = 24) -> String {
        let pools: [[Character]] = [
            Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            Array("-_.~ !\"#$%&'()*+,/:;<=>?@[\\]^`{|}"),
            Array("éüßñøÅ"), Array("模型训练作业"), Array("🚀🧪"), ["\u{0}", "\t", "\n", "\u{7F}"],
        ]
        return String((0..<int(0...maxLength)).map { _ in pick(pick(pools)) })
    }

    mutating func identifier(maxLength: Int = 12) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789_")
        return String((0..<int(1...maxLength)).map { _ in pick(alphabet) })
    }

    /// Any JSON value, at most `depth` levels deep.
    mutating func json(depth: Int = 4) -> JSONValue {
        switch int(0...(depth > 0 ? 7 : 4)) {
        case 0: return .null
        case 1: return .bool(bool())
        case 2: return .integer(Int64.random(in: Int64.min...Int64.max, using: &self))
        case 3: return .number(pick([0.5, -1e300, 1e-300, 3.25, Double(int(-1000...1000)) + 0.5]))
        case 4: return .string(text())
        case 5, 6:
            return .object(Dictionary((0..<int(0...5)).map { _ in (identifier(), json(depth: depth - 1)) }, uniquingKeysWith: { a, _ in a }))
        default: return .array((0..<int(0...5)).map { _ in json(depth: depth - 1) })
        }
    }

    /// A seed for a property run: `PROPERTY_SEED` to repeat one, otherwise a fresh one.
    static func seed() -> UInt64 {
        ProcessInfo.processInfo.environment["PROPERTY_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))
    }
}
