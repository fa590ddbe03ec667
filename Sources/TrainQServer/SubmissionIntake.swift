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
        let document = try JSONBody.parse(body, contentType: contentType)
        guard case .object = document else {
            throw APIError(.badRequest, .validationFailed, "the body must be a JSON object", details: [
                FieldProblem(field: "", problem: "expected object, got \(document.typeName)")
            ])
        }
        var problems: [FieldProblem] = []
        let accepted = check(document, field: "", problems: &problems)
        guard problems.isEmpty, let accepted else { throw Self.validationFailed(problems) }
        return accepted
    }

    /// A `POST /v1/submissions/batch` body, `{"submissions": [...]}`, as its accepted items in order,
    /// or one 400 listing every problem of every item, each field prefixed with `submissions[i].`.
    func acceptBatch(body: ByteBuffer, contentType: String?, maximumItems: Int) throws(APIError) -> [Accepted] {
        let document = try JSONBody.parse(body, contentType: contentType)
        guard case .object(let members) = document else {
            throw Self.validationFailed([FieldProblem(field: "", problem: "expected object, got \(document.typeName)")])
        }
        var problems = members.keys.filter { $0 != "submissions" }.sorted().map {
            FieldProblem(field: $0, problem: "is not a field of a batch; put the requests in \"submissions\"")
        }
        switch members["submissions"] {
        case .array(let items) where (1...maximumItems).contains(items.count):
            var accepted: [Accepted] = []
            accepted.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                if let one = check(item, field: "submissions[\(index)]", problems: &problems) {
                    accepted.append(one)
                }
            }
            guard problems.isEmpty else { throw Self.validationFailed(problems) }
            return accepted
        case .array(let items):
            problems.append(FieldProblem(field: "submissions", problem: "must have 1–\(maximumItems) items, has \(items.count)"))
        case nil:
            problems.append(FieldProblem(field: "submissions", problem: "is required"))
        case let other?:
            problems.append(FieldProblem(field: "submissions", problem: "expected array, got \(other.typeName)"))
        }
        throw Self.validationFailed(problems)
    }

    private static func validationFailed(_ problems: [FieldProblem]) -> APIError {
        let count = problems.count
        return APIError(.badRequest, .validationFailed, "the request breaks \(count) rule\(count == 1 ? "" : "s")", details: problems)
    }

    /// One submission object: appends its problems, with every field under `field`, and returns it
    /// when it has none.
    private func check(_ document: JSONValue, field prefix: String, problems: inout [FieldProblem]) -> Accepted? {
        func path(_ field: String) -> String {
            prefix.isEmpty ? field : field.isEmpty ? prefix : "\(prefix).\(field)"
        }
        guard case .object(let members) = document else {
            problems.append(FieldProblem(field: path(""), problem: "expected object, got \(document.typeName)"))
            return nil
        }
        let problemsBefore = problems.count

        var jobID: Int64?
        switch members["job_id"] {
        case .integer(let value) where value > 0: jobID = value
        case .integer: problems.append(FieldProblem(field: path("job_id"), problem: "must be a positive integer"))
        case nil: problems.append(FieldProblem(field: path("job_id"), problem: "is required"))
        case let other?: problems.append(FieldProblem(field: path("job_id"), problem: "expected integer, got \(other.typeName)"))
        }

        var projectID = defaultProjectID
        switch members["project_id"] {
        case .string(let value) where ProjectID.isValid(value):
            projectID = value
        case .string: problems.append(FieldProblem(field: path("project_id"), problem: "must be 32 lowercase hexadecimal characters"))
        case nil where defaultProjectID == nil:
            problems.append(FieldProblem(field: path("project_id"), problem: "is required: the daemon has no modelarts.project_id"))
        case nil: break
        case let other?: problems.append(FieldProblem(field: path("project_id"), problem: "expected string, got \(other.typeName)"))
        }

        var request = members
        request["job_id"] = nil
        request["project_id"] = nil
        let requestDocument = JSONValue.object(request)
        switch CreateVersionRequest.validate(requestDocument) {
        case .success: break
        case .failure(let failure):
            problems += failure.violations.map { FieldProblem(field: path($0.field), problem: $0.problem) }
        }

        guard problems.count == problemsBefore, let jobID, let projectID else { return nil }
        return Accepted(projectID: projectID, jobID: jobID, request: requestDocument)
    }
}
