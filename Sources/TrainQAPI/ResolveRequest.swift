/// `POST /v1/submissions/{id}/resolve`: a person's verdict on a `needs_attention` submission.
public struct ResolveRequest: Sendable, Codable, Hashable {
    public enum Action: String, Sendable, Codable, Hashable {
        /// The version with `version_id` is this submission's: track it.
        case adopt
        /// Nothing was created: queue the request again.
        case requeue
        /// Give up on it.
        case cancel
    }

    public var action: Action
    public var versionID: Int64?

    public init(action: Action, versionID: Int64? = nil) {
        self.action = action
        self.versionID = versionID
    }

    enum CodingKeys: String, CodingKey {
        case action
        case versionID = "version_id"
    }
}
