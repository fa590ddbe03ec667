import Metrics

/// What the engine reports through swift-metrics; the daemon decides where it goes (Prometheus at
/// `/metrics`). The names live here so that the submitter and the reconciler cannot drift apart.
enum EngineMetrics {
    /// One finished attempt: `outcome` as `attempts[].outcome` names it, `class` as the error
    /// classification does (`none` for a created version).
    static func attemptFinished(_ outcome: AttemptOutcome) {
        Counter(label: "trainq_submit_attempts_total", dimensions: [("outcome", outcome.rawValue), ("class", outcome.errorClassLabel)])
            .increment()
    }

    /// Ended submissions that retention deleted.
    static func pruned(_ count: Int) {
        Counter(label: "trainq_pruned_submissions_total").increment(by: count)
    }

    /// One reconciliation step: what the listing of the job's versions showed.
    static func reconciled(_ result: ReconcileResult) {
        Counter(label: "trainq_reconcile_results_total", dimensions: [("result", result.rawValue)]).increment()
    }

    enum ReconcileResult: String {
        case found
        case notSeenYet = "not_seen_yet"
        case notCreated = "not_created"
        case ambiguous
        case undecidable
        /// The listing itself failed with a retryable error; it is tried again.
        case listingFailed = "listing_failed"

        init(_ verdict: SubmissionStateMachine.ReconcileVerdict) {
            switch verdict {
            case .found: self = .found
            case .notSeenYet: self = .notSeenYet
            case .notCreated: self = .notCreated
            case .ambiguous: self = .ambiguous
            case .undecidable: self = .undecidable
            }
        }
    }
}

extension AttemptOutcome {
    /// The error class behind this outcome, as a metrics label.
    var errorClassLabel: String {
        switch self {
        case .created: "none"
        // Stopped on the wire: whether the version exists is unknown until reconciliation.
        case .interrupted: AttemptOutcome.unknownOutcome.rawValue
        case .transient, .throttled, .unknownOutcome, .tokenRefresh, .slow, .permanent: rawValue
        }
    }
}
