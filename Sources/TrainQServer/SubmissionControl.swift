import Foundation
import TrainQAPI
import TrainQEngine

/// What the socket API asks of the engine. The server depends on this small surface rather than on
/// the engine's internals; `EngineControl` adapts the real engine to it.
public protocol SubmissionControl: Sendable {
    /// A submission was just stored: start its first attempt now rather than at the next poll.
    func submissionAccepted(_ submission: SubmissionView)
    /// Cancel before a version exists, or ask ModelArts to stop the version.
    func cancel(id: String) async throws(EngineError) -> SubmissionView
    /// Queue a `rejected` or `exhausted` submission again with a fresh budget.
    func retry(id: String) async throws(EngineError) -> SubmissionView
    /// A person's verdict on a `needs_attention` submission.
    func resolve(id: String, _ request: ResolveRequest) async throws(EngineError) -> SubmissionView
    /// When a ModelArts call last succeeded, for `/v1/health`.
    func lastModelArtsSuccess() async -> Date?
    /// The outgoing rate now and as configured, for `/v1/health` and `/metrics`.
    func outgoingRate() async -> HealthRate
}
