import Foundation
import TrainQAPI

/// Times are stored as integer milliseconds since 1970: exact, sortable, and what ModelArts sends.
public enum EpochMilliseconds {
    public static func from(_ date: Date) -> Int64 {
        APICoding.epochMilliseconds(date)
    }

    public static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// `date` as it reads back after being stored.
    public static func rounded(_ date: Date) -> Date {
        self.date(from(date))
    }
}
