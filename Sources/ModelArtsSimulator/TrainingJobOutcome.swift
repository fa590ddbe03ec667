import JSONTree

/// How a v2 training job ends unless terminated: the scenario's `job_outcomes` and
/// `POST /_sim/training-jobs/{id}/outcome` name one per job.
public enum TrainingJobOutcome: String, Sendable, Hashable, CaseIterable {
    /// Creating → Pending → Running → Completed.
    case completed
    /// The same path, ending Failed.
    case failed
    /// Creating → Abnormal (secondary CreateFailed): the create was accepted, the job never starts.
    case abnormal
    /// Preempted once: Running → Pending → Running → Completed.
    case restarted
    /// Shows Failed for exactly one read mid-run, then Running again, then Completed: a tracker that
    /// trusts a single terminal read gets it wrong.
    case flap
    /// Queues for ever.
    case pendingForever = "pending_forever"

    static func parse(_ value: JSONValue?, field: String) throws(ScenarioError) -> TrainingJobOutcome {
        let names = allCases.map(\.rawValue).joined(separator: ", ")
        guard let text = value?.stringValue else {
            throw .invalidField(field, "expected one of \(names), got \(value?.typeName ?? "nothing")")
        }
        guard let outcome = TrainingJobOutcome(rawValue: text) else {
            throw .invalidField(field, "expected one of \(names), got \"\(text)\"")
        }
        return outcome
    }
}
