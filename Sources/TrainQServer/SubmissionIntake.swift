import HTTPTypes
import Foundation
import JSONTree
import ModelArts
import NIOCore
import NIOFoundationCompat
import TrainQAPI

/// Turns a `POST /v1/submissions` body into a validated request, or into one 400 that lists every
/// violated rule. The top level (`project_id`, `job_id`) is ours; `job_desc` and `config` are the
/// ModelArts request body and are checked by its validator.
struct SubmissionIntake: Sendable {
    struct Accepted: Sendable {
        var projectID: String
        var jobID: Int64
        /// `{"job_desc"?: ..., "config": {...}}` exactly as accepted.
        var request: JSONValue
    }

    let defaultProjectID: String?

    func accept(body: ByteBuffer, contentType: String?) throws(APIError) -> Accepted {
        if let contentType, !contentType.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, .unsupportedMediaType, "the body must be JSON (Content-Type: application/json), not '\(contentType)'")
        }
        let document: JSONValue
        do {
            document = try body.withUnsafeReadableBytes { bytes in
                try JSONValue.parse(UnsafeRawBufferPointer(bytes), rejectingDuplicateKeys: true)
            }
        } catch {
            throw APIError(.badRequest, .invalidJSON, "the body is not valid JSON: \(error)")
        }
        guard case .object(let members) = document else {
            throw APIError(.badRequest, .validationFailed, "the body must be a JSON object", details: [
                FieldProblem(field: "", problem: "expected object, got \(document.typeName)")
            ])
        }
        var problems: [FieldProblem] = []

        var jobID: Int64?
        switch members["job_id"] {
        case .integer(let value) where value > 0: jobID = value
        case .integer: problems.append(FieldProblem(field: "job_id", problem: "must be a positive integer"))
        case nil: problems.append(FieldProblem(field: "job_id", problem: "is required"))
        case let other?: problems.append(FieldProblem(field: "job_id", problem: "expected integer, got \(other.typeName)"))
        }

        var projectID = defaultProjectID
        switch members["project_id"] {
        case .string(let value) where ProjectID.isValid(value):
            projectID = value
        case .string: problems.append(FieldProblem(field: "project_id", problem: "must be 32 lowercase hexadecimal characters"))
        case nil where defaultProjectID == nil:
            problems.append(FieldProblem(field: "project_id", problem: "is required: the daemon has no modelarts.project_id"))
        case nil: break
        case let other?: problems.append(FieldProblem(field: "project_id", problem: "expected string, got \(other.typeName)"))
        }

        var request = members
        request["job_id"] = nil
        request["project_id"] = nil
        let requestDocument = JSONValue.object(request)
        switch CreateVersionRequest.validate(requestDocument) {
        case .success: break
        case .failure(let failure):
            problems += failure.violations.map { FieldProblem(field: $0.field, problem: $0.problem) }
        }

        guard problems.isEmpty, let jobID, let projectID else {
            let count = problems.count
            throw APIError(.badRequest, .validationFailed, "the request breaks \(count) rule\(count == 1 ? "" : "s")", details: problems)
        }
        return Accepted(projectID: projectID, jobID: jobID, request: requestDocument)
    }
}
