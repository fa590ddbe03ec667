import Foundation
import JSONTree

/// One version as a list entry shows it, read for what tracking needs at every poll: its id, status and
/// timing. The entry's bytes are kept, and read whole only when wanted: when the version ends, its detail
/// is the final word (reference §2.5: a list entry carries the detail's fields).
public struct VersionSighting: Sendable, Hashable {
    public var versionID: Int64
    public var status: VersionStatus
    /// Epoch milliseconds, when training started.
    public var startTime: Int64?
    /// Running time in milliseconds.
    public var duration: Int64?
    /// The entry as listed: a JSON object.
    public var entry: Data

    /// The members read at every poll; every other member of an entry is checked and passed over.
    static let members = ["version_id", "status", "start_time", "duration"]

    init(_ object: LenientObject, entry: Data) throws(WireDecodingError) {
        status = try VersionDetail.status(of: object)
        guard let versionID = object.int64("version_id") else {
            throw WireDecodingError(context: object.context, problem: "missing version_id")
        }
        self.versionID = versionID
        startTime = object.int64("start_time")
        duration = object.int64("duration")
        self.entry = entry
    }

    /// A sighting of a version that was decoded whole (a list whose entries came as a string of JSON).
    init(_ detail: VersionDetail) throws(WireDecodingError) {
        guard let versionID = detail.versionID else {
            throw WireDecodingError(context: "version list", problem: "missing version_id")
        }
        self.versionID = versionID
        status = detail.status
        startTime = detail.startTime
        duration = detail.duration
        entry = Data(JSONValue.object(detail.raw).canonicalBytes())
    }

    /// The whole entry, as the detail call would describe the version.
    public func detail() throws(WireDecodingError) -> VersionDetail {
        try VersionDetail.decode(entry)
    }
}
