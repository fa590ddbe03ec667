/// Writes `JSONValue`s as canonical JSON: object keys sorted by their UTF-8 bytes, no whitespace,
/// `/` unescaped, fractions in Swift's shortest round-trip form (always with a `.` or an exponent, so
/// they read back as `.number`, never as `.integer`).
///
/// Canonical bytes are stored and hashed for idempotency replays, so equal documents must give equal
/// bytes; writing them by hand also keeps `JSONEncoder` off the intake path.
public struct JSONWriter: Sendable {
    public var bytes: [UInt8] = []
    /// Whether the container being written has no member or element yet (no comma before the next).
    private var atContainerStart = false

    public init(reservingCapacity capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let bool): bytes.append(contentsOf: (bool ? "true" : "false").utf8)
        case .integer(let integer): write(integer)
        case .number(let number): write(number)
        case .string(let string): write(string)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (offset, element) in elements.enumerated() {
                if offset > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (offset, member) in sorted.enumerated() {
                if offset > 0 { bytes.append(UInt8(ascii: ",")) }
                write(member.key)
                bytes.append(UInt8(ascii: ":"))
                write(member.value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    public mutating func write(_ integer: Int64) {
        bytes.append(contentsOf: String(integer).utf8)
    }

    /// Non-finite numbers have no JSON form; the parser never produces them, and they are written as `null`.
    public mutating func write(_ number: Double) {
        guard number.isFinite else {
            bytes.append(contentsOf: "null".utf8)
            return
        }
        bytes.append(contentsOf: number.description.utf8)
    }

    public mutating func write(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for (offset, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<offset]))
                appendEscaped(byte)
                runStart = offset + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    // MARK: Objects and arrays written member by member

    /// Starts an object; name members with `key(_:)` (in sorted order, to stay canonical).
    public mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        atContainerStart = true
    }

    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(contentsOf: "\":".utf8)
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        atContainerStart = false
    }

    public mutating func beginArray() {
        bytes.append(UInt8(ascii: "["))
        atContainerStart = true
    }

    /// Call before each element of an array begun with `beginArray()`.
    public mutating func nextElement() {
        separate()
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        atContainerStart = false
    }

    public mutating func writeNull() {
        bytes.append(contentsOf: "null".utf8)
    }

    private mutating func separate() {
        if !atContainerStart { bytes.append(UInt8(ascii: ",")) }
        atContainerStart = false
    }

    /// Appends bytes that already are JSON (a stored canonical document, say) without reading them.
    public mutating func writeRaw(_ json: some Sequence<UInt8>) {
        bytes.append(contentsOf: json)
    }

    private mutating func appendEscaped(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            let hex = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: "u00".utf8)
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0xF)])
        }
    }
}
