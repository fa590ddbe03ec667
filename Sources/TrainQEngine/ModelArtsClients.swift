import ModelArts

/// Which ModelArts client serves a submission's project. A client is bound to one project (it goes into
/// every path and is signed), while a submission may name its own `project_id`.
public struct ModelArtsClients: Sendable {
    private let resolve: @Sendable (String) -> ModelArtsClient?

    /// One client, for its own project only.
    public init(_ client: ModelArtsClient) {
        let projectID = client.configuration.projectID
        self.resolve = { $0 == projectID ? client : nil }
    }

    /// Any mapping from project id to client; `nil` means the project is not configured.
    public init(resolve: @escaping @Sendable (String) -> ModelArtsClient?) {
        self.resolve = resolve
    }

    public func client(for projectID: String) -> ModelArtsClient? {
        resolve(projectID)
    }
}
