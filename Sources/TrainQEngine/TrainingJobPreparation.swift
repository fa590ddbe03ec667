import JSONTree
import ModelArts
import TrainQAPI
import TrainQStore

/// What a v2 attempt sends: the stored job body, or a copy of the `from_job` job with the overrides,
/// always under the submission's own name (fixed at intake), and validated again. A stored request that
/// no longer validates, or a copy that does not, is a permanent failure.
enum TrainingJobPreparation {
    /// The two forms a v2 request takes.
    enum Form {
        case job(JSONValue)
        case copy(fromJob: String, overrides: [FieldOverride])
    }

    static func form(of row: StoredSubmission) -> Result<Form, AttemptFailure> {
        let members = row.view.request.objectValue ?? [:]
        if let job = members["job"] { return .success(.job(job)) }
        guard let fromJob = row.view.fromJob else {
            return .failure(invalid("the stored request has neither job nor from_job"))
        }
        var overrides: [FieldOverride] = []
        // Applied in path order, so a field and a field inside it land the same way every time.
        for (path, value) in (members["overrides"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            do {
                overrides.append(try FieldOverride(path: path, value: value))
            } catch {
                return .failure(invalid("override \(path): \(error)"))
            }
        }
        return .success(.copy(fromJob: fromJob, overrides: overrides))
    }

    /// The body to create: `document` under the submission's name, validated.
    static func body(_ document: JSONValue, for row: StoredSubmission) -> Result<JSONValue, AttemptFailure> {
        guard let name = row.view.trainingJobName else { return .failure(invalid("the submission has no job name")) }
        switch TrainingJobRequest.validate(document) {
        case .failure(let error): return .failure(invalid("the job body is not valid: \(error)"))
        case .success(let request): return .success(request.wireBody(name: name))
        }
    }

    /// The body of a copy of `source` (as show returned it) with the overrides.
    static func copyBody(of source: TrainingJob, overrides: [FieldOverride], for row: StoredSubmission)
        -> Result<JSONValue, AttemptFailure>
    {
        guard let name = row.view.trainingJobName else { return .failure(invalid("the submission has no job name")) }
        do {
            let copied = try TrainingJobCopy.body(copying: .object(source.raw), overrides: overrides, name: name)
            return body(copied, for: row)
        } catch {
            return .failure(invalid("overriding the copy of \(source.id) failed: \(error)"))
        }
    }

    private static func invalid(_ message: String) -> AttemptFailure {
        AttemptFailure(errorClass: .permanent, errorCode: "trainq.request", message: message)
    }
}
