import Foundation

/// Makes submission ids: ULIDs (26 characters of Crockford base 32, 48 bits of milliseconds then 80
/// random bits). They sort by creation time, so the newest-first list and the ids agree, and ids made
/// in the same millisecond still increase (the random part is incremented).
public struct SubmissionIDGenerator: Sendable {
    public init() {}

    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    private var lastMilliseconds: UInt64 = 0
    private var lastRandom: (high: UInt16, low: UInt64) = (0, 0)

    public mutating func next(at date: Date) -> String {
        var milliseconds = UInt64(max(0, EpochMilliseconds.from(date)))
        if milliseconds <= lastMilliseconds {
            // Same (or an earlier) millisecond: stay monotonic by counting up from the last id.
            milliseconds = lastMilliseconds
            let (low, overflow) = lastRandom.low.addingReportingOverflow(1)
            lastRandom = (overflow ? lastRandom.high &+ 1 : lastRandom.high, low)
        } else {
            var generator = SystemRandomNumberGenerator()
            lastRandom = (UInt16.random(in: 0...UInt16.max, using: &generator), generator.next())
        }
        lastMilliseconds = milliseconds
        return Self.encode(milliseconds: milliseconds, random: lastRandom)
    }

    /// 128 bits as 26 base-32 digits, most significant first (the first digit carries 3 bits).
    static func encode(milliseconds: UInt64, random: (high: UInt16, low: UInt64)) -> String {
        // high 64 bits: 48 bits of time and the top 16 random bits; low 64 bits: the rest.
        encode(SubmissionBits(high: (milliseconds & 0xFFFF_FFFF_FFFF) << 16 | UInt64(random.high), low: random.low))
    }

    /// The id of `bits`, as `next` writes it.
    public static func encode(_ bits: SubmissionBits) -> String {
        var digits = [UInt8](repeating: 0, count: 26)
        for index in 0..<26 {
            let shift = (25 - index) * 5
            let value: UInt64
            if shift >= 64 {
                value = bits.high >> (shift - 64)
            } else if shift > 59 {
                value = (bits.high << (64 - shift)) | (bits.low >> shift)
            } else {
                value = bits.low >> shift
            }
            digits[index] = alphabet[Int(value & 0x1F)]
        }
        return String(decoding: digits, as: UTF8.self)
    }

    /// The 128 bits of an id that `encode` wrote, or nil for any other string (lower case, other
    /// letters, another length), so that `encode(decode(id)!) == id` always holds.
    public static func decode(_ id: String) -> SubmissionBits? {
        var id = id
        return id.withUTF8 { bytes -> SubmissionBits? in
            guard bytes.count == 26 else { return nil }
            var high: UInt64 = 0
            var low: UInt64 = 0
            for (index, byte) in bytes.enumerated() {
                // The first digit carries 3 bits: 26 digits of 5 bits would be 130.
                guard let value = digitValues[Int(byte)], index > 0 || value < 8 else { return nil }
                high = high << 5 | low >> 59
                low = low << 5 | UInt64(value)
            }
            return SubmissionBits(high: high, low: low)
        }
    }

    /// Each byte's digit value, nil for a byte that is not one of `alphabet`.
    private static let digitValues: [UInt8?] = {
        var values = [UInt8?](repeating: nil, count: 256)
        for (value, byte) in alphabet.enumerated() { values[Int(byte)] = UInt8(value) }
        return values
    }()
}

/// A submission id's 128 bits: what it takes to hold a ULID without its 26 characters.
public struct SubmissionBits: Sendable, Hashable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }
}
