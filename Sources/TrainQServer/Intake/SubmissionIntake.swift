import HTTPTypes
import Foundation
import JSONTree
import ModelArts
import NIOCore
import NIOFoundationCompat
import TrainQAPI
import TrainQStore

/// Turns a `POST /v1/submissions` body into a validated request, or into one 400 that lists every
/// violated rule. The top level (`api`, `project_id`, `job_id`) is ours. For v1, `job_desc` and
/// `config` are the ModelArts request body and are checked by its validator; for v2, `job` is the
/// job body, or `from_job` and `overrides` say which job to copy and what to change.
struct SubmissionIntake: Sendable {
    struct Accepted: Sendable {
        var projectID: String
        /// v1: the job the version belongs to. v2: 0 until the store assigns the submission's lane.
        var jobID: Int64
        /// v1 `{"job_desc"?: ..., "config": {...}}`, v2 `{"job": {...}}` or `{"from_job", "overrides"}`.
        var request: JSONValue
        var api: SubmissionAPI = .v1
        var trainingJobBaseName: String?
        var fromJob: String?

        func newSubmission(owner: Owner, idempotencyKey: String?, at: Date) -> NewSubmission {
            NewSubmission(
                owner: owner, projectID: projectID, jobID: jobID, request: request, idempotencyKey: idempotencyKey, at: at,
                api: api, trainingJobBaseName: trainingJobBaseName, fromJob: fromJob)
        }
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

        var api = SubmissionAPI.v1
        switch members["api"] {
        case nil: break
        case .string(let value) where SubmissionAPI(rawValue: value) != nil: api = SubmissionAPI(rawValue: value) ?? .v1
        case .string(let other)?:
            problems.append(FieldProblem(field: path("api"), problem: "must be \"v1\" or \"v2\", got \"\(other)\""))
            return nil
        case let other?:
            problems.append(FieldProblem(field: path("api"), problem: "expected string, got \(other.typeName)"))
            return nil
        }
        let projectID = self.projectID(members, path: path, problems: &problems)
        if api == .v2 {
            let accepted = checkTrainingJob(members, path: path, problems: &problems)
            guard problems.count == problemsBefore, var accepted, let projectID else { return nil }
            accepted.projectID = projectID
            return accepted
        }

        var jobID: Int64?
        switch members["job_id"] {
        case .integer(let value) where value > 0: jobID = value
        case .integer: problems.append(FieldProblem(field: path("job_id"), problem: "must be a positive integer"))
        case nil: problems.append(FieldProblem(field: path("job_id"), problem: "is required"))
        case let other?: problems.append(FieldProblem(field: path("job_id"), problem: "expected integer, got \(other.typeName)"))
        }

        var request = members
        request["job_id"] = nil
        request["project_id"] = nil
        request["api"] = nil
        let requestDocument = JSONValue.object(request)
        switch CreateVersionRequest.validate(requestDocument) {
        case .success: break
        case .failure(let failure):
            problems += failure.violations.map { FieldProblem(field: path($0.field), problem: $0.problem) }
        }

        guard problems.count == problemsBefore, let jobID, let projectID else { return nil }
        return Accepted(projectID: projectID, jobID: jobID, request: requestDocument)
    }

    private func projectID(_ members: [String: JSONValue], path: (String) -> String, problems: inout [FieldProblem]) -> String? {
        switch members["project_id"] {
        case .string(let value) where ProjectID.isValid(value):
            return value
        case .string: problems.append(FieldProblem(field: path("project_id"), problem: "must be 32 lowercase hexadecimal characters"))
        case nil where defaultProjectID == nil:
            problems.append(FieldProblem(field: path("project_id"), problem: "is required: the daemon has no modelarts.project_id"))
        case nil: return defaultProjectID
        case let other?: problems.append(FieldProblem(field: path("project_id"), problem: "expected string, got \(other.typeName)"))
        }
        return nil
    }

    /// A v2 submission: `{"api": "v2", "job": {...}}`, or `{"api": "v2", "from_job": UUID, "overrides":
    /// {"path": value}}` to copy an existing job with some fields changed.
    private func checkTrainingJob(_ members: [String: JSONValue], path: (String) -> String, problems: inout [FieldProblem]) -> Accepted? {
        for key in members.keys.sorted() where !["api", "project_id", "job", "from_job", "overrides"].contains(key) {
            let problem = key == "job_id" ? "a v2 job has no job_id; trainq names it after the submission" : "unknown field"
            problems.append(FieldProblem(field: path(key), problem: problem))
        }
        switch (members["job"], members["from_job"]) {
        case (let job?, nil):
            if members["overrides"] != nil {
                problems.append(FieldProblem(field: path("overrides"), problem: "goes with from_job; edit the job body instead"))
            }
            switch TrainingJobRequest.validate(job, fieldPrefix: "job") {
            case .failure(let failure):
                problems += failure.violations.map { FieldProblem(field: path($0.field), problem: $0.problem) }
                return nil
            case .success(let request):
                return Accepted(projectID: "", jobID: 0, request: .object(["job": request.body]), api: .v2, trainingJobBaseName: request.baseName)
            }
        case (nil, let fromJob?):
            guard let source = fromJob.stringValue, Self.isTrainingJobID(source) else {
                problems.append(FieldProblem(field: path("from_job"), problem: "must be a training job id (a UUID such as 6c1e3a8f-2b4d-4e7a-9f10-3d5b7c9e1a20)"))
                return nil
            }
            var overrides: [String: JSONValue] = [:]
            switch members["overrides"] {
            case nil, .null?: break
            case .object(let map)?:
                for (field, value) in map.sorted(by: { $0.key < $1.key }) {
                    do {
                        overrides[field] = try FieldOverride(path: field, value: value).value
                    } catch {
                        problems.append(FieldProblem(field: path("overrides.\(field)"), problem: error.problem))
                    }
                }
            case let other?:
                problems.append(FieldProblem(field: path("overrides"), problem: "expected object of path to value, got \(other.typeName)"))
            }
            let baseName = overrides["metadata.name"]?.stringValue ?? TrainingJobName.copyBase(of: source)
            return Accepted(
                projectID: "", jobID: 0, request: .object(["from_job": .string(source), "overrides": .object(overrides)]), api: .v2,
                trainingJobBaseName: baseName, fromJob: source)
        case (nil, nil):
            problems.append(FieldProblem(field: path("job"), problem: "is required for a v2 submission (or from_job, to copy a job)"))
        case (_?, _?):
            problems.append(FieldProblem(field: path("from_job"), problem: "takes either job or from_job, not both"))
        }
        return nil
    }

    /// A v2 job id: a UUID in its 8-4-4-4-12 hexadecimal form.
    static func isTrainingJobID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == 45 else { return false }
            } else {
                guard (48...57).contains(byte) || (97...102).contains(byte) || (65...70).contains(byte) else { return false }
            }
        }
        return true
    }
}
