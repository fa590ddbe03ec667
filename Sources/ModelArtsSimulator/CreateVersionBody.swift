import Foundation
import Hummingbird
import JSONTree

/// Reads and checks the body of `POST .../versions` the way the backend would (reference §2.3, §8.7):
/// malformed JSON or wrong types are 400 ModelArts.0101, broken rules 400 ModelArts.0104.
enum CreateVersionBody {
    static func parse(_ body: ByteBuffer, jobId: Int64) throws(ServiceError) -> SimulatedCloud.VersionDraft {
        let document: JSONValue
        do {
            document = try JSONValue.parse(Data(body.readableBytesView))
        } catch {
            throw .invalidArgument("Invalid request body: not valid JSON.")
        }
        guard let members = document.objectValue else {
            throw .invalidArgument("Invalid request body: expected a JSON object, got \(document.typeName).")
        }
        let jobDesc: String
        switch members["job_desc"] {
        case nil, .null?: jobDesc = ""
        case .string(let text)?: jobDesc = text
        case let other?: throw .invalidArgument("job_desc: expected string, got \(other.typeName).")
        }
        guard jobDesc.count <= 256 else {
            throw .parameterError("job_desc: at most 256 characters are allowed, got \(jobDesc.count).")
        }
        guard let configValue = members["config"], configValue != .null else {
            throw .parameterError("config: is required.")
        }
        guard let config = configValue.objectValue else {
            throw .invalidArgument("config: expected object, got \(configValue.typeName).")
        }
        let problems = CreateVersionRules.violations(in: config)
        if !problems.isEmpty {
            throw .parameterError(problems.joined(separator: "; "))
        }
        guard let preVersionId = config["pre_version_id"]?.int64Value else {
            throw .parameterError("config.pre_version_id: is required.")
        }
        return .init(jobId: jobId, jobDesc: jobDesc, preVersionId: preVersionId, config: configValue)
    }
}
