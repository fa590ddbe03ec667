import Foundation
import JSONTree

/// The list-versions answer (reference §2.5). Reconciliation reads it to find a version that a lost
/// response hid, so a version entry it cannot read (no `version_id` or `status`) fails the whole decode
/// instead of being skipped.
public struct VersionList: Sendable, Hashable {
    public var jobID: Int64?
    public var jobName: String?
    public var jobDesc: String?
    /// All versions of the job, not only this page.
    public var versionCount: Int64?
    public var versions: [VersionDetail]

    public init(_ object: LenientObject) throws(WireDecodingError) {
        jobID = object.int64("job_id")
        jobName = object.string("job_name")
        jobDesc = object.string("job_desc")
        versionCount = object.int64("version_count")
        guard let entries = object.embeddedJSON("versions") else {
            versions = []
            if versionCount ?? 0 > 0 {
                throw WireDecodingError(context: object.context, problem: "missing versions but version_count is \(versionCount ?? 0)")
            }
            return
        }
        guard let elements = entries.arrayValue else {
            throw WireDecodingError(context: object.context, problem: "versions is not an array (got \(entries.typeName))")
        }
        var versions: [VersionDetail] = []
        for (index, element) in elements.enumerated() {
            let entry = try LenientObject(element, context: object.context + ".versions[\(index)]")
            let version = try VersionDetail(entry)
            guard version.versionID != nil else {
                throw WireDecodingError(context: entry.context, problem: "missing version_id")
            }
            versions.append(version)
        }
        self.versions = versions
    }

    public static func decode(_ body: Data) throws(WireDecodingError) -> VersionList {
        try VersionList(LenientObject(body: body, context: "version list"))
    }
}
