import Logging
import ModelArts
import TrainQStore

/// One ModelArts call of a tracking round, and what it answered. Calls run concurrently (through the
/// client's shared limiter); answers are applied one at a time by the tracker.
enum PollCall: Sendable {
    /// List every version of a job (all pages): refreshes all its tracked versions.
    case list(JobKey)
    /// Show one version.
    case show(submissionID: SubmissionKey, job: JobKey, versionID: Int64)
    /// Show one v2 job.
    case showTrainingJob(submissionID: SubmissionKey, projectID: String, trainingJobID: String)
    /// Search a project's v2 jobs in an active phase (one page): refreshes every tracked one it holds.
    case searchTrainingJobs(projectID: String)

    enum Answer: Sendable {
        case listed(JobKey, versions: [VersionSighting])
        case listFailed(JobKey, ModelArtsError)
        case shown(submissionID: SubmissionKey, VersionDetail)
        case showFailed(submissionID: SubmissionKey, versionID: Int64, ModelArtsError)
        case shownTrainingJob(submissionID: SubmissionKey, TrainingJob)
        case showTrainingJobFailed(submissionID: SubmissionKey, trainingJobID: String, ModelArtsError)
        case searchedTrainingJobs(projectID: String, TrainingJobSearchResult)
        case searchTrainingJobsFailed(projectID: String, ModelArtsError)
    }

    /// - Parameter logger: the tracker's; the call's lines carry the job (and the submission for a show).
    func perform(with client: ModelArtsClient, pageSize: Int, logger: Logger) async -> Answer {
        switch self {
        case .list(let job):
            do {
                let versions = try await client.listAllVersionStatuses(
                    jobID: job.jobID, perPage: pageSize, projectID: job.projectID, priority: .background, logger: logger.with(["job_id": "\(job.jobID)"]))
                return .listed(job, versions: versions)
            } catch {
                return .listFailed(job, error)
            }
        case .show(let id, let job, let versionID):
            do {
                let detail = try await client.showVersion(
                    jobID: job.jobID, versionID: versionID, projectID: job.projectID, priority: .background,
                    logger: logger.with(["submission": "\(id)", "job_id": "\(job.jobID)"]))
                return .shown(submissionID: id, detail)
            } catch {
                return .showFailed(submissionID: id, versionID: versionID, error)
            }
        case .showTrainingJob(let id, let projectID, let trainingJobID):
            do {
                let job = try await client.showTrainingJob(
                    trainingJobID, projectID: projectID, priority: .background,
                    logger: logger.with(["submission": "\(id)", "training_job_id": "\(trainingJobID)"]))
                return .shownTrainingJob(submissionID: id, job)
            } catch {
                return .showTrainingJobFailed(submissionID: id, trainingJobID: trainingJobID, error)
            }
        case .searchTrainingJobs(let projectID):
            do {
                let result = try await client.searchTrainingJobs(
                    inPhases: TrainingJobPhase.active.map(\.name), projectID: projectID, priority: .background, logger: logger)
                return .searchedTrainingJobs(projectID: projectID, result)
            } catch {
                return .searchTrainingJobsFailed(projectID: projectID, error)
            }
        }
    }
}
