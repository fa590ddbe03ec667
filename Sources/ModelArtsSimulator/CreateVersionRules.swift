import JSONTree

/// The rules of reference §8.7 that the create call enforces on `config`.
enum CreateVersionRules {
    static func violations(in config: [String: JSONValue]) -> [String] {
        var problems: [String] = []
        func has(_ key: String) -> Bool {
            if let value = config[key], value != .null { true } else { false }
        }
        func expectInteger(_ key: String) {
            if let value = config[key], value != .null, value.int64Value == nil {
                problems.append("config.\(key): expected integer, got \(value.typeName)")
            }
        }
        func expectString(_ key: String) {
            if let value = config[key], value != .null, value.stringValue == nil {
                problems.append("config.\(key): expected string, got \(value.typeName)")
            }
        }
        ["worker_server_num", "spec_id", "engine_id", "model_id", "pre_version_id"].forEach(expectInteger)
        ["app_url", "boot_file_url", "data_url", "dataset_id", "dataset_version_id", "pool_id", "train_url", "log_url",
         "user_image_url", "user_command"].forEach(expectString)

        if !has("pre_version_id") { problems.append("config.pre_version_id: is required") }
        if let workers = config["worker_server_num"]?.int64Value {
            if workers < 1 { problems.append("config.worker_server_num: must be at least 1") }
        } else if !has("worker_server_num") {
            problems.append("config.worker_server_num: is required")
        }
        if !has("train_url") { problems.append("config.train_url: is required") }

        let dataSources = [has("data_url"), has("dataset_id") || has("dataset_version_id"), has("data_source")].filter { $0 }.count
        if dataSources != 1 {
            problems.append("config: exactly one of data_url, dataset_id + dataset_version_id, data_source is required")
        } else if has("dataset_id") != has("dataset_version_id") {
            problems.append("config: dataset_id and dataset_version_id go together")
        }
        if has("spec_id") == has("pool_id") {
            problems.append("config: exactly one of spec_id, pool_id is required")
        }
        if !has("model_id") && !(has("app_url") && has("boot_file_url")) {
            problems.append("config: app_url and boot_file_url are required unless model_id is set")
        }
        return problems
    }
}
