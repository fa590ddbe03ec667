import Foundation
import ModelArts

extension VersionMatcher.Listed {
    /// A listed version, compared with the request the attempt sent; `nil` when it has no id (the
    /// client's listing never returns one).
    public init?(_ version: VersionDetail, comparedWith request: CreateVersionRequest) {
        guard let id = version.versionID else { return nil }
        self.init(
            versionID: id, versionName: version.versionName,
            createTime: version.createTime.map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) },
            status: version.status.code, jobDesc: version.jobDesc, conflicts: version.conflicts(with: request)
        )
    }
}
