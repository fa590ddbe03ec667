import Foundation

/// Where reconciliation of an unknown outcome stands: kept on the row, so that a restart resumes the
/// re-list schedule rather than starting it over.
public struct RelistProgress: Sendable, Hashable {
    /// Listings so far that came back without the attempt's version.
    public var emptyListings: Int
    /// When to list the job again; nil for at once.
    public var nextListingAt: Date?

    public init(emptyListings: Int, nextListingAt: Date?) {
        self.emptyListings = emptyListings
        self.nextListingAt = nextListingAt
    }

    /// A fresh start: nothing listed yet, list at once.
    public static let fresh = RelistProgress(emptyListings: 0, nextListingAt: nil)
}
