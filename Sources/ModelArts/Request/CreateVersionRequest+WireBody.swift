import Foundation
import JSONTree

extension CreateVersionRequest {
    /// The exact bytes to POST: only the fields that are present, keys in the documentation's order, no
    /// extra whitespace, non-ASCII text as UTF-8. The same request always gives the same bytes, so a
    /// signature or a stored copy can be compared byte for byte.
    public func wireBody() -> Data {
        var writer = OrderedJSONWriter()
        writer.write(orderedMembers)
        return Data(writer.output.utf8)
    }

    /// The request as a JSON tree (e.g. to store it or echo it back); key order is not kept by a tree.
    public var jsonValue: JSONValue {
        OrderedJSONWriter.Node.object(orderedMembers).jsonValue
    }

    private var orderedMembers: [(String, OrderedJSONWriter.Node)] {
        var members: [(String, OrderedJSONWriter.Node)] = []
        if let jobDesc { members.append(("job_desc", .string(jobDesc))) }
        members.append(("config", .object(config.orderedMembers)))
        return members
    }
}

extension TrainingConfig {
    fileprivate var orderedMembers: [(String, OrderedJSONWriter.Node)] {
        var members: [(String, OrderedJSONWriter.Node)] = [("worker_server_num", .integer(workerServerNum))]
        func add(_ key: String, _ value: String?) { if let value { members.append((key, .string(value))) } }
        func add(_ key: String, _ value: Int64?) { if let value { members.append((key, .integer(value))) } }
        add("app_url", appURL)
        add("boot_file_url", bootFileURL)
        if let parameter {
            members.append(("parameter", .array(parameter.map { .object([("label", .string($0.label)), ("value", .string($0.value))]) })))
        }
        add("data_url", dataURL)
        add("dataset_id", datasetID)
        add("dataset_version_id", datasetVersionID)
        if let dataSource {
            members.append(("data_source", .array(dataSource.map { source in
                var entry: [(String, OrderedJSONWriter.Node)] = [("type", .string(source.type.rawValue))]
                if let url = source.dataURL { entry.append(("data_url", .string(url))) }
                if let id = source.datasetID { entry.append(("dataset_id", .string(id))) }
                if let version = source.datasetVersion { entry.append(("dataset_version", .string(version))) }
                return .object(entry)
            })))
        }
        add("spec_id", specID)
        add("pool_id", poolID)
        add("engine_id", engineID)
        add("model_id", modelID)
        add("train_url", trainURL)
        add("log_url", logURL)
        add("pre_version_id", preVersionID)
        add("user_image_url", userImageURL)
        add("user_command", userCommand)
        return members
    }
}
