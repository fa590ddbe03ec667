/// Which ModelArts training API a submission goes to.
public enum SubmissionAPI: String, Sendable, Codable, Hashable, CaseIterable {
    /// `POST /v1/{project_id}/training-jobs/{job_id}/versions`: a new version of a v1 job.
    case v1
    /// `POST /v2/{project_id}/training-jobs`: a new v2 training job.
    case v2
}
