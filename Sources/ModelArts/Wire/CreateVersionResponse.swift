import Foundation

/// The answer to a successful create (reference §2.3). `version_id` is the one field we cannot do
/// without: it is the version to track.
public struct CreateVersionResponse: Sendable, Hashable {
    public var versionID: Int64
    public var versionName: String?
    public var jobID: Int64?
    public var jobName: String?
    public var status: VersionStatus?
    /// Epoch milliseconds.
    public var createTime: Int64?

    public init(versionID: Int64, versionName: String? = nil, jobID: Int64? = nil, jobName: String? = nil,
                status: VersionStatus? = nil, createTime: Int64? = nil) {
        self.versionID = versionID
        self.versionName = versionName
        self.jobID = jobID
        self.jobName = jobName
        self.status = status
        self.createTime = createTime
    }

    public init(_ object: LenientObject) throws(WireDecodingError) {
        versionID = try object.requiredInt64("version_id")
        versionName = object.string("version_name")
        jobID = object.int64("job_id")
        jobName = object.string("job_name")
        status = object.int("status").map(VersionStatus.init(code:))
        createTime = object.int64("create_time")
    }

    public static func decode(_ body: Data) throws(WireDecodingError) -> CreateVersionResponse {
        try CreateVersionResponse(LenientObject(body: body, context: "create version response"))
    }
}
