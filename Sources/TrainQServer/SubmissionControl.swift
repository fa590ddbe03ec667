import HTTPTypes
import Foundation
import TrainQAPI

/// What the socket API asks of the engine. The server depends on this small surface rather than on
/// the engine's internals; `EngineControl` adapts the real engine to it.
public protocol SubmissionControl: Sendable {
    /// A submission was just stored: start its first attempt now rather than at the next poll.
    func submissionAccepted(_ submission: SubmissionView) async
    /// Cancel before a version exists, or ask ModelArts to stop the version.
    func cancel(id: String) async throws(SubmissionControlError) -> SubmissionView
    /// Queue a `rejected` or `exhausted` submission again with a fresh budget.
    func retry(id: String) async throws(SubmissionControlError) -> SubmissionView
    /// A person's verdict on a `needs_attention` submission.
    func resolve(id: String, _ request: ResolveRequest) async throws(SubmissionControlError) -> SubmissionView
    /// When a ModelArts call last succeeded, for `/v1/health`.
    func lastModelArtsSuccess() async -> Date?
}

/// Why an action on a submission was refused.
public struct SubmissionControlError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case notFound
        case invalidState
        case invalidRequest
        case storeUnavailable
        case remoteUnavailable
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    var apiError: APIError {
        switch kind {
        case .notFound: APIError.notFound(message)
        case .invalidState: APIError.invalidState(message)
        case .invalidRequest: APIError.badRequest(message)
        case .storeUnavailable: APIError.storeUnavailable(message)
        case .remoteUnavailable: APIError(.badGateway, .remoteUnavailable, message)
        }
    }
}
