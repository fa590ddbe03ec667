/// `POST /v1/submissions/{id}/resolve`: a person's verdict on a `needs_attention` submission.
public struct ResolveRequest: Sendable, Codable, Hashable {
    public enum Action: String, Sendable, Codable, Hashable {
        /// The version with `version_id` (v1), or the training job with `training_job_id` (v2), is this
        /// submission's: track it.
        case adopt
        /// Nothing was created: queue the request again.
        case requeue
        /// Give up on it.
        case cancel
    }

    public var action: Action
    public var versionID: Int64?
    public var trainingJobID: String?

    public init(action: Action, versionID: Int64? = nil, trainingJobID: String? = nil) {
        self.action = action
        self.versionID = versionID
        self.trainingJobID = trainingJobID
    }

    enum CodingKeys: String, CodingKey {
        case action
        case versionID = "version_id"
        case trainingJobID = "training_job_id"
    }
}
