import JSONTree

/// The version objects of the show and list answers (reference §2.5, §2.6): the caller's `config`
/// echoed back, plus what the service adds (engine, flavor, status, times).
enum VersionView {
    /// Fields of `config` that the answers echo under the same name.
    private static let echoedConfigFields = [
        "worker_server_num", "app_url", "boot_file_url", "parameter", "data_url", "dataset_id", "dataset_version_id",
        "data_source", "spec_id", "pool_id", "engine_id", "model_id", "train_url", "log_url", "user_image_url",
        "user_command",
    ]

    /// `GET .../versions/{version_id}`: a top-level object with `system_metric_list` as an object.
    static func detail(job: SimulatedJob, version: SimulatedVersion, snapshot: SimulatedVersion.StateMachine.Snapshot) -> JSONValue {
        var members = common(job: job, version: version, snapshot: snapshot)
        members["is_success"] = .bool(true)
        members["job_id"] = .integer(job.jobID)
        members["job_name"] = .string(job.jobName)
        members["spec_code"] = .string("modelarts.vm.cpu.2u")
        members["system_metric_list"] = .object(["cpuUsage": .array([]), "memUsage": .array([]), "gpuUtil": .array([])])
        return .object(members)
    }

    /// An element of `versions` in list versions: `gpu` added and `system_metric_list` JSON-encoded.
    static func listItem(job: SimulatedJob, version: SimulatedVersion, snapshot: SimulatedVersion.StateMachine.Snapshot) -> JSONValue {
        var members = common(job: job, version: version, snapshot: snapshot)
        members["gpu"] = .bool(false)
        members["system_metric_list"] = .string(#"{"cpuUsage":[],"memUsage":[],"gpuUtil":[]}"#)
        return .object(members)
    }

    private static func common(job: SimulatedJob, version: SimulatedVersion, snapshot: SimulatedVersion.StateMachine.Snapshot) -> [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        for field in echoedConfigFields {
            if let value = version.config[field] { members[field] = value }
        }
        let engineID = version.config["engine_id"]?.int64Value ?? 1
        members["engine_id"] = .integer(engineID)
        members["engine_type"] = .integer(engineID == 1 ? 1 : 10)
        members["engine_name"] = .string(engineID == 1 ? "TensorFlow" : "PyTorch")
        members["engine_version"] = .string(engineID == 1 ? "TF-1.8.0-python3.6" : "PyTorch-1.8.0-python3.7")
        members["job_desc"] = .string(version.jobDesc)
        members["version_id"] = .integer(version.versionID)
        members["version_name"] = .string(version.versionName)
        if let preVersionID = version.preVersionID { members["pre_version_id"] = .integer(preVersionID) }
        members["status"] = .integer(Int64(snapshot.status))
        members["create_time"] = .integer(version.createTime)
        members["duration"] = .integer(snapshot.duration)
        if let startTime = snapshot.startTime { members["start_time"] = .integer(startTime) }
        members["core"] = .string("2")
        members["cpu"] = .string("8")
        members["gpu_num"] = .integer(0)
        members["gpu_type"] = .string("")
        members["resource_id"] = .string("jobversion-\(version.versionID)")
        members["model_metric_list"] = .string(#"{"metric":[],"total_metric":{}}"#)
        members["dataset_name"] = .string("")
        members["dataset_version_name"] = .string("")
        members["volumes"] = .array([])
        return members
    }
}
