import Foundation
import JSONTree

/// One version as the detail call and the list call describe it (reference §2.5, §2.6). Only `status` is
/// required; everything else may be missing, and unknown fields stay available in `raw`.
public struct VersionDetail: Sendable, Hashable {
    public var versionID: Int64?
    public var versionName: String?
    public var preVersionID: Int64?
    public var jobID: Int64?
    public var jobName: String?
    public var jobDesc: String?
    public var status: VersionStatus
    /// Epoch milliseconds.
    public var createTime: Int64?
    /// Epoch milliseconds, when training started.
    public var startTime: Int64?
    /// Running time in milliseconds.
    public var duration: Int64?
    public var engineType: Int64?
    public var engineName: String?
    public var engineID: Int64?
    public var engineVersion: String?
    public var appURL: String?
    public var bootFileURL: String?
    public var parameter: [Parameter]?
    public var specID: Int64?
    public var specCode: String?
    public var poolID: String?
    public var poolName: String?
    public var core: String?
    public var cpu: String?
    public var gpu: Bool?
    public var gpuNum: Int64?
    public var gpuType: String?
    public var workerServerNum: Int64?
    public var dataURL: String?
    public var datasetID: String?
    public var datasetVersionID: String?
    public var datasetName: String?
    public var datasetVersionName: String?
    public var dataSource: [VersionDataSource]?
    public var modelID: Int64?
    public var trainURL: String?
    public var logURL: String?
    public var userImageURL: String?
    public var userCommand: String?
    public var resourceID: String?
    /// Decoded from a JSON string when the service sends one. Decoded when asked for: the tracker reads a
    /// thousand list entries a second and never these.
    public var modelMetricList: JSONValue? { LenientObject(raw, context: "version detail").embeddedJSON("model_metric_list") }
    /// An object in the detail call, a JSON string in the list call; decoded either way, when asked for.
    public var systemMetricList: JSONValue? { LenientObject(raw, context: "version detail").embeddedJSON("system_metric_list") }
    /// Every member as received, for fields this type does not name.
    public var raw: [String: JSONValue]

    public init(_ object: LenientObject) throws(WireDecodingError) {
        status = try Self.status(of: object)
        versionID = object.int64("version_id")
        versionName = object.string("version_name")
        preVersionID = object.int64("pre_version_id")
        jobID = object.int64("job_id")
        jobName = object.string("job_name")
        jobDesc = object.string("job_desc")
        createTime = object.int64("create_time")
        startTime = object.int64("start_time")
        duration = object.int64("duration")
        engineType = object.int64("engine_type")
        engineName = object.string("engine_name")
        engineID = object.int64("engine_id")
        engineVersion = object.string("engine_version")
        appURL = object.string("app_url")
        bootFileURL = object.string("boot_file_url")
        parameter = object.objects("parameter")?.compactMap { entry in
            entry.string("label").map { Parameter(label: $0, value: entry.string("value") ?? "") }
        }
        specID = object.int64("spec_id")
        specCode = object.string("spec_code")
        poolID = object.string("pool_id")
        poolName = object.string("pool_name")
        core = object.string("core")
        cpu = object.string("cpu")
        gpu = object.bool("gpu")
        gpuNum = object.int64("gpu_num")
        gpuType = object.string("gpu_type")
        workerServerNum = object.int64("worker_server_num")
        dataURL = object.string("data_url")
        datasetID = object.string("dataset_id")
        datasetVersionID = object.string("dataset_version_id")
        datasetName = object.string("dataset_name")
        datasetVersionName = object.string("dataset_version_name")
        dataSource = object.objects("data_source")?.map(VersionDataSource.init)
        modelID = object.int64("model_id")
        trainURL = object.string("train_url")
        logURL = object.string("log_url")
        userImageURL = object.string("user_image_url")
        userCommand = object.string("user_command")
        resourceID = object.string("resource_id")
        raw = object.members
    }

    /// The one member a version cannot do without, read the same way from a detail and a list entry.
    static func status(of object: LenientObject) throws(WireDecodingError) -> VersionStatus {
        guard let statusCode = object.int("status") else {
            let problem = object.members["status"].map { "status is not an integer (got \($0.typeName))" } ?? "missing status"
            throw WireDecodingError(context: object.context, problem: problem)
        }
        return VersionStatus(code: statusCode)
    }

    public static func decode(_ body: Data) throws(WireDecodingError) -> VersionDetail {
        try VersionDetail(LenientObject(body: body, context: "version detail"))
    }
}

/// A `data_source` entry as the service reports it; `type` is kept as text so new kinds do not fail.
public struct VersionDataSource: Sendable, Hashable {
    public var type: String?
    public var dataURL: String?
    public var datasetID: String?
    public var datasetVersion: String?

    init(_ object: LenientObject) {
        type = object.string("type")
        dataURL = object.string("data_url")
        datasetID = object.string("dataset_id")
        datasetVersion = object.string("dataset_version")
    }
}
