import JSONTree

/// One version of a training job as the simulated service stores it.
///
/// Its status is never stored: it is derived from timestamps on demand (`StateMachine`), so ten
/// thousand versions cost no timers and no work until someone looks.
struct SimulatedVersion: Sendable {
    var jobID: Int64
    var versionID: Int64
    var versionName: String
    var preVersionID: Int64?
    var jobDesc: String
    /// The `config` object as the caller sent it, echoed back in show and list.
    var config: JSONValue
    /// Wall-clock epoch milliseconds.
    var createTime: Int64
    /// Terminal status this version ends in unless stopped.
    var outcome: Int
    /// When a stop was accepted (epoch ms).
    var stopRequestedAt: Int64?
    var isDeleted = false
    /// The answer to the create was deliberately lost (a `lost_response` fault).
    var responseLost = false

    func stateMachine(timeScale: Double) -> StateMachine {
        StateMachine(createTime: createTime, outcome: outcome, stopRequestedAt: stopRequestedAt, timeScale: timeScale)
    }
}
