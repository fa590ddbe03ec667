import ModelArts

/// How one attempt to create the version ended, as the submission's story (`attempts[].outcome`) names it.
public enum AttemptOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    case created
    case transient
    /// A 429: the attempt waited its turn and does not count against the budget.
    case throttled
    case unknownOutcome = "unknown_outcome"
    case tokenRefresh = "token_refresh"
    case slow
    case permanent
    /// The daemon stopped while the attempt was on the wire; reconciliation finds out what happened.
    case interrupted

    public init(_ errorClass: ErrorClass) {
        switch errorClass {
        case .transient: self = .transient
        case .throttled: self = .throttled
        case .unknownOutcome: self = .unknownOutcome
        case .tokenRefresh: self = .tokenRefresh
        case .slow: self = .slow
        case .permanent: self = .permanent
        }
    }
}
