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
        let high = (milliseconds & 0xFFFF_FFFF_FFFF) << 16 | UInt64(random.high)
        let low = random.low
        var digits = [UInt8](repeating: 0, count: 26)
        for index in 0..<26 {
            let shift = (25 - index) * 5
            let value: UInt64
            if shift >= 64 {
                value = high >> (shift - 64)
            } else if shift > 59 {
                value = (high << (64 - shift)) | (low >> shift)
            } else {
                value = low >> shift
            }
            digits[index] = alphabet[Int(value & 0x1F)]
        }
        return String(decoding: digits, as: UTF8.self)
    }
}
