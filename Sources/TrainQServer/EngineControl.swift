import Foundation
import Logging
import ModelArts
import NIOConcurrencyHelpers
import TrainQAPI
import TrainQEngine
import TrainQStore

/// The daemon's `SubmissionControl`: the engine decides cancel, retry and resolve; a cancel that finds
/// a version already created asks ModelArts to stop it, and the tracker follows the remote status to
/// `stopped`.
public struct EngineControl: SubmissionControl {
    let engine: SubmissionEngine
    let tracker: VersionTracker
    let client: ModelArtsClient
    let store: SubmissionStore
    let lastSuccess: LastModelArtsSuccess

    public init(engine: SubmissionEngine, tracker: VersionTracker, client: ModelArtsClient, store: SubmissionStore, lastSuccess: LastModelArtsSuccess) {
        self.engine = engine
        self.tracker = tracker
        self.client = client
        self.store = store
        self.lastSuccess = lastSuccess
    }

    public func submissionAccepted(_ submission: SubmissionView) async {
        engine.submissionAccepted(job: JobKey(projectID: submission.projectID, jobID: submission.jobID))
    }

    public func cancel(id: String) async throws(SubmissionControlError) -> SubmissionView {
        do {
            return try await engine.cancel(id: id)
        } catch where error.kind == .notYetSupported {
            return try await stopRemoteVersion(id: id)
        } catch {
            throw Self.translate(error)
        }
    }

    public func retry(id: String) async throws(SubmissionControlError) -> SubmissionView {
        do {
            return try await engine.retry(id: id)
        } catch {
            throw Self.translate(error)
        }
    }

    public func resolve(id: String, _ request: ResolveRequest) async throws(SubmissionControlError) -> SubmissionView {
        do {
            return try await engine.resolve(id: id, request)
        } catch {
            throw Self.translate(error)
        }
    }

    public func lastModelArtsSuccess() async -> Date? {
        lastSuccess.value
    }

    /// `POST .../versions/{version_id}/stop`; the state then follows the remote status (KILLING, then
    /// KILLED → `stopped`).
    private func stopRemoteVersion(id: String) async throws(SubmissionControlError) -> SubmissionView {
        let submission: SubmissionView?
        do {
            submission = try await store.submission(id: id)
        } catch {
            throw SubmissionControlError(.storeUnavailable, "the database could not be read: \(error)")
        }
        guard let submission else { throw SubmissionControlError(.notFound, "no submission with id '\(id)'") }
        guard submission.state == .tracking, let versionID = submission.versionID else {
            throw SubmissionControlError(.invalidState, "submission \(id) is \(submission.state.rawValue); only a tracked version can be stopped")
        }
        do {
            try await client.stopVersion(
                jobID: submission.jobID, versionID: versionID, projectID: submission.projectID,
                logger: Logger(label: "trainq.modelarts").with(["submission": "\(id)"]))
        } catch {
            switch error.errorClass {
            case .permanent:
                throw SubmissionControlError(.invalidState, "ModelArts refused to stop version \(versionID): \(error.message)")
            case .transient, .slow, .unknownOutcome, .tokenRefresh:
                throw SubmissionControlError(.remoteUnavailable, "could not ask ModelArts to stop version \(versionID): \(error.message); try again")
            }
        }
        await tracker.pollSoon(id)
        return submission
    }

    static func translate(_ error: EngineError) -> SubmissionControlError {
        switch error.kind {
        case .notFound: SubmissionControlError(.notFound, error.message)
        case .invalidVersion: SubmissionControlError(.invalidRequest, error.message)
        case .storeUnavailable: SubmissionControlError(.storeUnavailable, error.message)
        case .remoteUnavailable: SubmissionControlError(.remoteUnavailable, error.message)
        default: SubmissionControlError(.invalidState, error.message)
        }
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
