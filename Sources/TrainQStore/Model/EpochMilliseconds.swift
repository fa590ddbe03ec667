import Foundation

/// Times are stored as integer milliseconds since 1970: exact, sortable, and what ModelArts sends.
enum EpochMilliseconds {
    static func from(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// `date` as it reads back after being stored.
    static func rounded(_ date: Date) -> Date {
        self.date(from(date))
    }
}
