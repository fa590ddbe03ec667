import Foundation
import ServiceLifecycle

/// A ModelArts that runs inside trainqd instead of Huawei Cloud's (`--simulate`). The daemon runs
/// `service` next to its own and points the client at `endpoint()`; what the service is stays the
/// executable's business, so this module does not depend on the simulator.
public struct EmbeddedModelArts: Sendable {
    /// Where the client finds it once it listens, and what it signs with.
    public struct Endpoint: Sendable, CustomStringConvertible {
        public var url: URL
        public var accessKey: String
        public var secretKey: String
        /// The project submissions go to when `modelarts.project_id` is not set.
        public var projectID: String

        public init(url: URL, accessKey: String, secretKey: String, projectID: String) {
            self.url = url
            self.accessKey = accessKey
            self.secretKey = secretKey
            self.projectID = projectID
        }

        /// Without the keys: whatever logs it must not show them.
        public var description: String { "embedded ModelArts at \(url.absoluteString)" }
    }

    public var service: any Service
    /// Waits until the service listens.
    public var endpoint: @Sendable () async throws -> Endpoint

    public init(service: any Service, endpoint: @escaping @Sendable () async throws -> Endpoint) {
        self.service = service
        self.endpoint = endpoint
    }
}
