import Foundation
import ModelArts
import TrainQAPI
import TrainQStore

/// A version of the job that a create returned or a listing showed: what the store keeps
/// (`CreatedVersion`) plus the remote status it had when seen, which tracking starts from.
public struct ObservedVersion: Sendable, Hashable {
    public var version: CreatedVersion
    public var status: VersionStatus?

    public init(version: CreatedVersion, status: VersionStatus? = nil) {
        self.version = version
        self.status = status
    }

    public init(id: Int64, name: String? = nil, createdAt: Date? = nil, status: VersionStatus? = nil) {
        self.init(version: CreatedVersion(id: id, name: name, createdAt: createdAt), status: status)
    }

    public var id: Int64 { version.id }

    /// The status as the socket API shows it.
    public func remoteStatus(at date: Date) -> RemoteStatus? {
        status.map { RemoteStatus(code: $0.code, name: $0.displayName, at: date) }
    }
}
