import Foundation
import JSONTree

/// The list-jobs answer (reference §2.9).
public struct JobList: Sendable, Hashable {
    public struct Job: Sendable, Hashable {
        public var jobID: Int64
        public var jobName: String?
        /// The latest version.
        public var versionID: Int64?
        public var status: VersionStatus?
        public var createTime: Int64?
        public var duration: Int64?
        public var jobDesc: String?
        public var versionCount: Int64?

        init(_ object: LenientObject) throws(WireDecodingError) {
            jobID = try object.requiredInt64("job_id")
            jobName = object.string("job_name")
            versionID = object.int64("version_id")
            status = object.int("status").map(VersionStatus.init(code:))
            createTime = object.int64("create_time")
            duration = object.int64("duration")
            jobDesc = object.string("job_desc")
            versionCount = object.int64("version_count")
        }
    }

    public var jobTotalCount: Int64?
    /// How many more jobs may still be created.
    public var jobCountLimit: Int64?
    public var quotas: Int64?
    public var jobs: [Job]

    public init(_ object: LenientObject) throws(WireDecodingError) {
        jobTotalCount = object.int64("job_total_count")
        jobCountLimit = object.int64("job_count_limit")
        quotas = object.int64("quotas")
        guard let entries = object.embeddedJSON("jobs") else {
            jobs = []
            return
        }
        guard let elements = entries.arrayValue else {
            throw WireDecodingError(context: object.context, problem: "jobs is not an array (got \(entries.typeName))")
        }
        var jobs: [Job] = []
        for (index, element) in elements.enumerated() {
            jobs.append(try Job(LenientObject(element, context: object.context + ".jobs[\(index)]")))
        }
        self.jobs = jobs
    }

    public static func decode(_ body: Data) throws(WireDecodingError) -> JobList {
        try JobList(LenientObject(body: body, context: "job list"))
    }
}
