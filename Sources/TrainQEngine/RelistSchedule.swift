/// The widening waits between listings before reconciliation concludes "not created".
///
/// A create can commit after its response was lost, so one empty list proves nothing. With the default
/// `[2s, 5s, 15s, 30s]` the job is listed five times over about 52 seconds; only when all of them show no
/// match is the attempt taken as not created.
public struct RelistSchedule: Sendable, Hashable {
    public var waits: [Duration]

    public init(waits: [Duration] = [.seconds(2), .seconds(5), .seconds(15), .seconds(30)]) {
        self.waits = waits.filter { $0 >= .zero }
    }

    /// The wait before the next listing after `emptyListings` listings found nothing, or `nil` when the
    /// schedule is spent and the attempt counts as not created.
    public func wait(afterEmptyListings emptyListings: Int) -> Duration? {
        guard emptyListings >= 1, emptyListings <= waits.count else { return nil }
        return waits[emptyListings - 1]
    }

    /// How many listings the schedule makes in all.
    public var listings: Int { waits.count + 1 }

    /// The time the whole schedule spans, first listing to last.
    public var span: Duration { waits.reduce(.zero, +) }
}
