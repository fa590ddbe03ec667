import Hummingbird
import JSONTree

/// Create, list, show, stop and delete versions of a training job (reference §2.3, §2.5–§2.8).
struct VersionRoutes: Sendable {
    let cloud: SimulatedCloud
    let gateway: APIGateway

    func register(on router: Router<SimulatorRequestContext>) {
        let versions = "/v1/:project_id/training-jobs/:job_id/versions"
        router.post(RouterPath(versions), use: create)
        router.get(RouterPath(versions), use: list)
        router.get(RouterPath(versions + "/:version_id"), use: show)
        router.delete(RouterPath(versions + "/:version_id"), use: delete)
        router.post(RouterPath(versions + "/:version_id/stop"), use: stop)
    }

    @Sendable func create(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        let jobID = try PathParameters.jobID(context)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let admission = try await gateway.admit(.create, request, body: body, context: context)
        let draft = try CreateVersionBody.parse(body, jobID: jobID)
        let (job, version) = try await cloud.createVersion(draft)
        if let lost = admission.lostResponse {
            await cloud.markResponseLost(version.versionID)
            try await gateway.loseResponse(lost, route: .create, context: context)
        }
        let status = await cloud.snapshot(of: version).status
        return JSONResponse.make(.ok, .object([
            "is_success": .bool(true),
            "job_id": .integer(job.jobID),
            "job_name": .string(job.jobName),
            "status": .integer(Int64(status)),
            "create_time": .integer(version.createTime),
            "version_id": .integer(version.versionID),
            "version_name": .string(version.versionName),
        ]))
    }

    @Sendable func show(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        let jobID = try PathParameters.jobID(context)
        let versionID = try PathParameters.versionID(context)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let admission = try await gateway.admit(.show, request, body: body, context: context)
        let (job, version) = try await cloud.findVersion(versionID, ofJob: jobID)
        let snapshot = await cloud.snapshot(of: version)
        await cloud.markRead([versionID])
        if let lost = admission.lostResponse { try await gateway.loseResponse(lost, route: .show, context: context) }
        return JSONResponse.make(.ok, VersionView.detail(job: job, version: version, snapshot: snapshot))
    }

    @Sendable func list(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        let jobID = try PathParameters.jobID(context)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let admission = try await gateway.admit(.list, request, body: body, context: context)
        let query = request.uri.queryParameters
        // List versions: page 0 (the default) means no paging.
        let pagination = try Pagination.parse(
            page: query["page"].map(String.init), perPage: query["per_page"].map(String.init),
            defaultPage: 0, pageRange: 0...Int.max)
        let (job, versions) = try await cloud.versions(ofJob: jobID)
        var items: [JSONValue] = []
        let page = pagination.apply(to: versions)
        for version in page {
            items.append(VersionView.listItem(job: job, version: version, snapshot: await cloud.snapshot(of: version)))
        }
        await cloud.markRead(page.map(\.versionID))
        if let lost = admission.lostResponse { try await gateway.loseResponse(lost, route: .list, context: context) }
        return JSONResponse.make(.ok, .object([
            "is_success": .bool(true),
            "job_id": .integer(job.jobID),
            "job_name": .string(job.jobName),
            "job_desc": .string(job.jobDesc),
            "version_count": .integer(Int64(versions.count)),
            "versions": .array(items),
        ]))
    }

    @Sendable func stop(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        let jobID = try PathParameters.jobID(context)
        let versionID = try PathParameters.versionID(context)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let admission = try await gateway.admit(.stop, request, body: body, context: context)
        try await cloud.stopVersion(versionID, ofJob: jobID)
        if let lost = admission.lostResponse { try await gateway.loseResponse(lost, route: .stop, context: context) }
        return JSONResponse.make(.ok, .object(["is_success": .bool(true)]))
    }

    @Sendable func delete(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        let jobID = try PathParameters.jobID(context)
        let versionID = try PathParameters.versionID(context)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let admission = try await gateway.admit(.delete, request, body: body, context: context)
        try await cloud.deleteVersion(versionID, ofJob: jobID)
        if let lost = admission.lostResponse { try await gateway.loseResponse(lost, route: .delete, context: context) }
        return JSONResponse.make(.ok, .object(["is_success": .bool(true)]))
    }
}
