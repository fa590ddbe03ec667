import JSONTree

/// A create body made from an existing job as show returned it: the console's "Copy", which the API
/// lacks (errata §4.7). Only request fields are carried over; what the service filled in (ids, status,
/// flavor details, endpoints' URLs) is dropped, and the response's list-of-maps `environments` becomes
/// the request's map again.
public enum TrainingJobCopy {
    public static func body(copying source: JSONValue, overrides: [FieldOverride], name: String) throws(FieldOverrideError) -> JSONValue {
        let job = source.objectValue ?? [:]
        var body: [String: JSONValue] = ["kind": job["kind"] ?? .string("job")]
        var metadata = pick(job["metadata"], ["workspace_id", "description"])
        // The service answers `{}` for a job created without annotations: an empty map is no annotation.
        if let annotations = job["metadata"]?["annotations"], annotations.objectValue?.isEmpty == false {
            metadata["annotations"] = annotations
        }
        if let reference = job["metadata"]?["training_experiment_reference"]?["id"] {
            metadata["training_experiment_reference"] = .object(["id": reference])
        }
        body["metadata"] = .object(metadata)
        if let algorithm = job["algorithm"] { body["algorithm"] = .object(self.algorithm(algorithm)) }
        if let spec = job["spec"] { body["spec"] = .object(self.spec(spec)) }
        if let keyPairs = job["endpoints"]?["ssh"]?["key_pair_names"] {
            body["endpoints"] = .object(["ssh": .object(["key_pair_names": keyPairs])])
        }
        var document = JSONValue.object(body)
        for override in overrides { document = try override.apply(to: document) }
        var members = document.objectValue ?? [:]
        var finalMetadata = members["metadata"]?.objectValue ?? [:]
        finalMetadata["name"] = .string(name)
        members["metadata"] = .object(finalMetadata)
        return .object(members)
    }

    private static func pick(_ value: JSONValue?, _ keys: [String]) -> [String: JSONValue] {
        var picked: [String: JSONValue] = [:]
        for key in keys { if let member = value?[key], member != .null { picked[key] = member } }
        return picked
    }

    private static func algorithm(_ source: JSONValue) -> [String: JSONValue] {
        var algorithm = pick(source, [
            "id", "subscription_id", "item_version_id", "code_dir", "boot_file", "command", "local_code_dir", "working_dir", "summary",
        ])
        if let engine = source["engine"] { algorithm["engine"] = .object(self.engine(engine)) }
        if let parameters = source["parameters"]?.arrayValue {
            algorithm["parameters"] = .array(parameters.map { .object(pick($0, ["name", "value", "description"])) })
        }
        for key in ["inputs", "outputs"] {
            if let channels = source[key]?.arrayValue {
                algorithm[key] = .array(channels.map { .object(pick($0, ["name", "remote", "local_dir", "access_method", "description"])) })
            }
        }
        switch source["environments"] {
        case .object(let map)?:
            algorithm["environments"] = .object(map)
        case .array(let maps)?:
            var merged: [String: JSONValue] = [:]
            for map in maps { for (key, value) in map.objectValue ?? [:] { merged[key] = value } }
            algorithm["environments"] = .object(merged)
        default:
            break
        }
        return algorithm
    }

    /// The response's resolved engine may name it several ways at once; the request takes one of them.
    /// UNVERIFIED which fields the service resolves, so the most specific wins: id, then name + version
    /// (with the image only when packages are installed into it), then a bare custom image.
    private static func engine(_ source: JSONValue) -> [String: JSONValue] {
        if let engineID = source["engine_id"], engineID != .null { return ["engine_id": engineID] }
        if source["engine_name"]?.stringValue != nil {
            let keys = source["install_sys_packages"]?.boolValue == true
                ? ["engine_name", "engine_version", "image_url", "install_sys_packages"] : ["engine_name", "engine_version"]
            return pick(source, keys)
        }
        return pick(source, ["image_url", "image_repo_id"])
    }

    private static func spec(_ source: JSONValue) -> [String: JSONValue] {
        var spec = pick(source, [
            "volumes", "log_export_path", "auto_stop", "schedule_policy", "notification", "retention", "reserved_time",
            "log_export_config", "custom_metrics", "output_model", "asset_model", "asset_id", "runtime_type",
        ])
        spec["resource"] = .object(pick(source["resource"], ["flavor_id", "node_count", "pool_id", "pool_group_id", "main_container_customized_flavor"]))
        return spec
    }
}
