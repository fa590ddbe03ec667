import Hummingbird

/// The typed path parameters of the v1 routes. A project id that is not 32 lowercase hex characters or
/// an id that is not a positive number does not name an API: the gateway answers 404 APIGW.0101.
enum PathParameters {
    static func projectId(_ context: SimulatorRequestContext) throws(ServiceError) -> String {
        guard let projectId = context.parameters.get("project_id"), isProjectId(projectId) else { throw .routeNotFound }
        return projectId
    }

    static func jobId(_ context: SimulatorRequestContext) throws(ServiceError) -> Int64 {
        _ = try projectId(context)
        return try positiveId(context.parameters.get("job_id"))
    }

    static func versionId(_ context: SimulatorRequestContext) throws(ServiceError) -> Int64 {
        try positiveId(context.parameters.get("version_id"))
    }

    static func isProjectId(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    private static func positiveId(_ text: String?) throws(ServiceError) -> Int64 {
        guard let text, text.utf8.allSatisfy({ (48...57).contains($0) }), let id = Int64(text), id > 0 else {
            throw .routeNotFound
        }
        return id
    }
}
