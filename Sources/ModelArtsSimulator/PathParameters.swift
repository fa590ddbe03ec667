import Hummingbird

/// The typed path parameters of the v1 and v2 routes. A project id that is not 32 lowercase hex characters or
/// an id that is not a positive number does not name an API: the gateway answers 404 APIGW.0101.
enum PathParameters {
    static func projectID(_ context: SimulatorRequestContext) throws(ServiceError) -> String {
        guard let projectID = context.parameters.get("project_id"), isProjectID(projectID) else { throw .routeNotFound }
        return projectID
    }

    static func jobID(_ context: SimulatorRequestContext) throws(ServiceError) -> Int64 {
        _ = try projectID(context)
        return try positiveID(context.parameters.get("job_id"))
    }

    static func versionID(_ context: SimulatorRequestContext) throws(ServiceError) -> Int64 {
        try positiveID(context.parameters.get("version_id"))
    }

    /// A v2 job id is looked up as given: an id that names no job is 400 ModelArts.2775, not a gateway 404.
    static func trainingJobID(_ context: SimulatorRequestContext) throws(ServiceError) -> String {
        _ = try projectID(context)
        guard let id = context.parameters.get("training_job_id"), !id.isEmpty else { throw .routeNotFound }
        return id
    }

    static func isProjectID(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    private static func positiveID(_ text: String?) throws(ServiceError) -> Int64 {
        guard let text, text.utf8.allSatisfy({ (48...57).contains($0) }), let id = Int64(text), id > 0 else {
            throw .routeNotFound
        }
        return id
    }
}
