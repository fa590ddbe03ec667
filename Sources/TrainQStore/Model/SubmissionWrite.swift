import Foundation
import TrainQAPI

/// Everything one decision of the engine's state machine writes, applied by `SubmissionStore.apply` in one
/// transaction. The store adds no policy: it checks that the row is still in `expected` (compare-and-set)
/// and writes what it is given.
public struct SubmissionWrite: Sendable, Hashable {
    /// The state the decision was made in; nothing is written when the row is no longer in it.
    public var expected: SubmissionState
    /// The state to move to, or nil to stay (a new remote status while `tracking`).
    public var next: SubmissionState?
    public var changes: SubmissionChanges
    public var attempt: AttemptWrite?
    /// Why the submission is now where it is, for its story; stored on the row with a state change.
    public var reason: String?
    /// Whether an event row is written. Always for a state change; for a stay, when the remote status
    /// changed, so the history shows every remote step.
    public var appendsEvent: Bool
    public var at: Date

    public init(
        expected: SubmissionState, next: SubmissionState?, changes: SubmissionChanges = .none,
        attempt: AttemptWrite? = nil, reason: String? = nil, appendsEvent: Bool = true, at: Date
    ) {
        self.expected = expected
        self.next = next
        self.changes = changes
        self.attempt = attempt
        self.reason = reason
        self.appendsEvent = next != nil || appendsEvent
        self.at = at
    }

    /// What every store refuses before it writes anything: a move the transition table forbids, or a stay
    /// that records neither a remote status nor re-list progress.
    public func check() throws(StoreError) {
        if let next {
            guard expected.canMove(to: next) else {
                throw StoreError(
                    kind: .invalidTransition, reason: "a submission cannot move from \(expected.rawValue) to \(next.rawValue)")
            }
        } else if (changes.remoteStatus == nil && changes.relist == nil) || attempt != nil {
            throw StoreError(
                kind: .invalidTransition, reason: "a write that keeps the state only records a remote status or re-list progress")
        }
    }
}
