import JSONTree

/// One v2 training job as the simulated service stores it. Like a version, its phase is never stored:
/// `StateMachine` derives it from the timestamps below when someone looks.
struct SimulatedTrainingJob: Sendable {
    /// `metadata.id`: a lowercase UUID, the only key a client can poll by.
    var id: String
    var name: String
    var kind: String
    /// The create body exactly as sent; responses are built from it.
    var body: JSONValue
    /// Epoch milliseconds.
    var createTime: Int64
    var userName: String
    var outcome: TrainingJobOutcome
    /// When a terminate was accepted.
    var terminateRequestedAt: Int64?
    /// When the one Failed read of a `flap` job was served.
    var flapShownAt: Int64?
    /// When a delete was accepted; the job stays readable for a while after (deletion is asynchronous).
    var deleteRequestedAt: Int64?
    /// The answer to the create was deliberately lost (a `lost_response` fault).
    var responseLost = false
    /// Made through the API (listed in the ledger), not seeded by the scenario.
    var createdThroughAPI: Bool
    /// When a caller last saw it (show, or a search page with it).
    var lastReadAt: Int64?

    func stateMachine(timeScale: Double) -> StateMachine {
        StateMachine(
            createTime: createTime, outcome: outcome, terminateRequestedAt: terminateRequestedAt, flapShownAt: flapShownAt,
            timeScale: timeScale)
    }
}
