import Foundation
import NIOConcurrencyHelpers
import TrainQAPI
import TrainQEngine
import TrainQStore

/// The daemon's `SubmissionControl`: every action is the engine's (cancel, also while tracking, retry,
/// resolve); the server only authorizes the caller and turns the engine's answer into HTTP.
public struct EngineControl: SubmissionControl {
    let engine: SubmissionEngine
    let lastSuccess: LastModelArtsSuccess

    public init(engine: SubmissionEngine, lastSuccess: LastModelArtsSuccess) {
        self.engine = engine
        self.lastSuccess = lastSuccess
    }

    public func submissionAccepted(_ submission: SubmissionView) {
        engine.submissionAccepted(job: JobKey(projectID: submission.projectID, jobID: submission.jobID))
    }

    public func cancel(id: String) async throws(EngineError) -> SubmissionView {
        try await engine.cancel(id: id)
    }

    public func retry(id: String) async throws(EngineError) -> SubmissionView {
        try await engine.retry(id: id)
    }

    public func resolve(id: String, _ request: ResolveRequest) async throws(EngineError) -> SubmissionView {
        try await engine.resolve(id: id, request)
    }

    public func lastModelArtsSuccess() async -> Date? {
        lastSuccess.value
    }

    public func outgoingRate() async -> HealthRate {
        let rate = await engine.outgoingRate()
        return HealthRate(current: rate.current, configured: rate.configured)
    }
}

/// When a ModelArts call last succeeded; fed by the client's call observer, read by `/v1/health`.
public final class LastModelArtsSuccess: Sendable {
    private let box = NIOLockedValueBox<Date?>(nil)

    public init() {}

    public var value: Date? { box.withLockedValue { $0 } }

    public func record(_ date: Date = Date()) {
        box.withLockedValue { $0 = date }
    }
}
