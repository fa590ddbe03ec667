import Foundation
import Synchronization

/// What ModelArts' clock reads, learned from its answers, so that reconciliation compares a version's
/// `create_time` with the attempt on the service's own clock and not the host's (DESIGN §2, "Whose
/// clock"). Training hosts drift; the service's timestamps are the ones in the listing.
///
/// Each answer bounds the offset (service clock − host clock): a `Date` header (whole seconds) or a
/// `create_time` (milliseconds) read `serverTime`, at some instant between sending and receiving, so
/// the offset lies in `[serverTime − received, serverTime + resolution − sent]`. Consistent samples
/// are intersected, which narrows the bound; a sample that does not overlap (the host clock was
/// stepped) replaces it, as does any sample once the bound is older than `freshness`.
public final class ServerClock: Sendable {
    /// The service clock minus the host clock, within `[lowest, highest]`.
    public struct Offset: Sendable, Hashable {
        public var lowest: Duration
        public var highest: Duration
        /// When the newest sample that shaped it arrived (host clock).
        public var learnedAt: Date

        public init(lowest: Duration, highest: Duration, learnedAt: Date) {
            self.lowest = lowest
            self.highest = highest
            self.learnedAt = learnedAt
        }

        public var uncertainty: Duration { highest - lowest }
        public var midpoint: Duration { (lowest + highest) / 2 }
    }

    /// Bounds that are too old no longer narrow a new one: both clocks drift a little.
    public static let freshness: Duration = .seconds(600)

    private let offset = Mutex<Offset?>(nil)

    public init() {}

    /// The bound learned so far; nil before the first answer that carried a time.
    public var current: Offset? { offset.withLock { $0 } }

    /// The earliest the service's clock can read at host time `local`; nil while nothing is known.
    public func earliestServerTime(atLocal local: Date = Date()) -> Date? {
        current.map { local.addingTimeInterval(Self.seconds($0.lowest)) }
    }

    /// One answer that read `serverTime` somewhere between `sent` and `received` (host clock).
    public func observe(serverTime: Date, resolution: Duration, sent: Date, received: Date) {
        guard received >= sent else { return }
        let lowest = Self.duration(serverTime.timeIntervalSince(received))
        let highest = Self.duration(serverTime.timeIntervalSince(sent)) + resolution
        offset.withLock { known in
            let sample = Offset(lowest: lowest, highest: highest, learnedAt: received)
            guard let previous = known,
                  received.timeIntervalSince(previous.learnedAt) < Self.seconds(Self.freshness),
                  previous.lowest <= highest, lowest <= previous.highest
            else {
                known = sample
                return
            }
            known = Offset(lowest: max(previous.lowest, lowest), highest: min(previous.highest, highest), learnedAt: received)
        }
    }

    /// An answer's `Date` header (IMF-fixdate, RFC 9110 §5.6.7); answers without one teach nothing.
    public func observe(dateHeader: String?, sent: Date, received: Date) {
        guard let dateHeader, let serverTime = parsedDate(dateHeader) else { return }
        observe(serverTime: serverTime, resolution: .seconds(1), sent: sent, received: received)
    }

    /// The last `Date` header read: it changes once a second, and a busy tracker reads a hundred answers
    /// a second, so parsing it (a `DateFormatter` each time) is done once per value.
    private let lastDateHeader = Mutex<(text: String, date: Date)?>(nil)

    private func parsedDate(_ header: String) -> Date? {
        if let known = lastDateHeader.withLock({ $0 }), known.text == header { return known.date }
        guard let date = Self.parseHTTPDate(header) else { return nil }
        lastDateHeader.withLock { $0 = (header, date) }
        return date
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func parseHTTPDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text.trimmingCharacters(in: .whitespaces))
    }

    private static func duration(_ seconds: TimeInterval) -> Duration {
        .milliseconds(Int64((seconds * 1000).rounded()))
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        TimeInterval(duration.components.seconds) + TimeInterval(duration.components.attoseconds) / 1e18
    }
}
