/// The one table of allowed state changes (DESIGN §2). The store refuses any change that is not
/// listed here, and the engine's decisions are checked against it in tests.
extension SubmissionState {
    public var allowedNext: Set<SubmissionState> {
        switch self {
        case .queued: [.submitting, .canceled]
        case .retrying: [.submitting, .canceled, .exhausted]
        case .submitting: [.tracking, .retrying, .reconciling, .rejected, .exhausted]
        case .reconciling: [.tracking, .retrying, .needsAttention]
        case .tracking: [.succeeded, .failed, .stopped]
        case .needsAttention: [.tracking, .retrying, .canceled]
        // `retry` re-queues these two with a fresh budget.
        case .rejected, .exhausted: [.queued]
        case .succeeded, .failed, .stopped, .canceled: []
        }
    }

    public func canMove(to next: SubmissionState) -> Bool {
        allowedNext.contains(next)
    }
}
