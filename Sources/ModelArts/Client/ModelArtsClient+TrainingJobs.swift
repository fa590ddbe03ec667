import Foundation
import JSONTree
import Logging

/// Today's v2 training jobs (errata §4.1): the same client, limiter, signing and classification as v1.
extension ModelArtsClient {
    /// `POST /v2/{project_id}/training-jobs` (201). Not idempotent and there is no client token: on an
    /// `.unknownOutcome` failure, find the job by its exact name with `searchTrainingJobs` before sending
    /// again.
    public func createTrainingJob(
        body: JSONValue, projectID: String? = nil, logger: Logger? = nil, sendGuard: SendGuard? = nil
    ) async throws(ModelArtsError) -> TrainingJob {
        let sent = Date()
        let job = try await call(
            .createTrainingJob, .createTrainingJob, projectID: projectID, body: body.canonicalData(), logger: logger,
            sendGuard: sendGuard, decode: TrainingJob.decode)
        if let createTime = job.createTime {
            serverClock.observe(
                serverTime: Date(timeIntervalSince1970: TimeInterval(createTime) / 1000), resolution: .milliseconds(1),
                sent: sent, received: Date())
        }
        return job
    }

    /// `GET /v2/{project_id}/training-jobs/{training_job_id}`.
    public func showTrainingJob(
        _ trainingJobID: String, projectID: String? = nil, priority: OutgoingCallLimiter.Priority = .normal,
        logger: Logger? = nil
    ) async throws(ModelArtsError) -> TrainingJob {
        try await call(
            .showTrainingJob, .showTrainingJob(trainingJobID), projectID: projectID, priority: priority, logger: logger,
            decode: TrainingJob.decode)
    }

    /// The most items one search page may ask for (`JobSearches.limit`, 1–50).
    public static let trainingJobSearchLimit = 50

    /// `POST /v2/{project_id}/training-job-searches` for the jobs whose name contains `name` (`like` is a
    /// substring match, so callers compare names exactly themselves), newest first, one page.
    public func searchTrainingJobs(
        nameContaining name: String, limit: Int = ModelArtsClient.trainingJobSearchLimit, offset: Int = 0,
        projectID: String? = nil, priority: OutgoingCallLimiter.Priority = .normal, logger: Logger? = nil
    ) async throws(ModelArtsError) -> TrainingJobSearchResult {
        try await searchTrainingJobs(
            filter: .object(["key": .string("name"), "operator": .string("like"), "value": .array([.string(name)])]),
            limit: limit, offset: offset, projectID: projectID, priority: priority, logger: logger)
    }

    /// The jobs in any of `phases`, newest first, one page: one call that reads every running job of a
    /// project, where showing them would take one call each. `count` says how many match in all.
    public func searchTrainingJobs(
        inPhases phases: [String], limit: Int = ModelArtsClient.trainingJobSearchLimit, projectID: String? = nil,
        priority: OutgoingCallLimiter.Priority = .normal, logger: Logger? = nil
    ) async throws(ModelArtsError) -> TrainingJobSearchResult {
        try await searchTrainingJobs(
            filter: .object(["key": .string("phase"), "operator": .string("in"), "value": .array(phases.map(JSONValue.string))]),
            limit: limit, offset: 0, projectID: projectID, priority: priority, logger: logger)
    }

    private func searchTrainingJobs(
        filter: JSONValue, limit: Int, offset: Int, projectID: String?, priority: OutgoingCallLimiter.Priority, logger: Logger?
    ) async throws(ModelArtsError) -> TrainingJobSearchResult {
        guard (1...Self.trainingJobSearchLimit).contains(limit), offset >= 0 else {
            throw .configuration(
                operation: .searchTrainingJobs, message: "limit must be 1-\(Self.trainingJobSearchLimit) and offset >= 0")
        }
        let body: JSONValue = .object([
            "offset": .integer(Int64(offset)), "limit": .integer(Int64(limit)),
            "sort_by": .string("create_time"), "order": .string("desc"),
            "filters": .array([filter]),
        ])
        return try await call(
            .searchTrainingJobs, .searchTrainingJobs, projectID: projectID, body: body.canonicalData(),
            priority: priority, logger: logger, decode: TrainingJobSearchResult.decode)
    }

    /// Every job whose name is exactly `name`: the search, then the exact comparison `like` cannot make.
    public func trainingJobs(
        namedExactly name: String, projectID: String? = nil, priority: OutgoingCallLimiter.Priority = .normal,
        logger: Logger? = nil
    ) async throws(ModelArtsError) -> [TrainingJob] {
        var matches: [TrainingJob] = []
        var offset = 0
        // Names carry a unique suffix, so one page nearly always holds every match; the bound keeps a
        // service that keeps answering full pages from holding us forever.
        for _ in 0..<Self.maxSearchPages {
            let page = try await searchTrainingJobs(
                nameContaining: name, offset: offset, projectID: projectID, priority: priority, logger: logger)
            matches += page.items.filter { $0.name == name }
            guard page.items.count == Self.trainingJobSearchLimit else { break }
            offset += page.items.count
        }
        return matches
    }

    static let maxSearchPages = 20

    /// `POST .../training-jobs/{id}/actions` with `{"action_type":"terminate"}` (202; the job moves to
    /// `Terminating`, then `Terminated`).
    public func terminateTrainingJob(
        _ trainingJobID: String, projectID: String? = nil, logger: Logger? = nil
    ) async throws(ModelArtsError) {
        let body: JSONValue = .object(["action_type": .string("terminate")])
        try await call(
            .terminateTrainingJob, .trainingJobAction(trainingJobID), projectID: projectID, body: body.canonicalData(),
            logger: logger
        ) { _ throws(WireDecodingError) in () }
    }
}
