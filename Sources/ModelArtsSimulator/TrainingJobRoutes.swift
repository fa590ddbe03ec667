import Foundation
import Hummingbird
import JSONTree

/// The v2 training-job API (reference §4.1): create, show, search, terminate and delete, behind the same
/// gateway (auth, throttling, faults) as v1.
struct TrainingJobRoutes: Sendable {
    let cloud: SimulatedCloud
    let gateway: APIGateway

    func register(on router: Router<SimulatorRequestContext>) {
        let jobs = "/v2/:project_id/training-jobs"
        router.post(RouterPath(jobs), use: create)
        router.get(RouterPath(jobs + "/:training_job_id"), use: show)
        router.delete(RouterPath(jobs + "/:training_job_id"), use: delete)
        router.post(RouterPath(jobs + "/:training_job_id/actions"), use: action)
        router.post("/v2/:project_id/training-job-searches", use: search)
    }

    /// 201 with the whole job, in phase Creating.
    @Sendable func create(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        _ = try PathParameters.projectID(context)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let admission = try await gateway.admit(.jobCreate, request, body: body, context: context)
        let draft = try CreateTrainingJobBody.parse(body)
        let (job, snapshot) = try await cloud.createTrainingJob(draft, caller: admission.caller)
        if let lost = admission.lostResponse {
            await cloud.markTrainingJobResponseLost(job.id)
            try await gateway.loseResponse(lost, route: .jobCreate, context: context)
        }
        return JSONResponse.make(.created, TrainingJobView.job(job, snapshot: snapshot))
    }

    @Sendable func show(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        let id = try PathParameters.trainingJobID(context)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let admission = try await gateway.admit(.jobShow, request, body: body, context: context)
        let (job, snapshot) = try await cloud.readTrainingJob(id)
        if let lost = admission.lostResponse { try await gateway.loseResponse(lost, route: .jobShow, context: context) }
        return JSONResponse.make(.ok, TrainingJobView.job(job, snapshot: snapshot))
    }

    @Sendable func search(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        _ = try PathParameters.projectID(context)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let admission = try await gateway.admit(.jobSearch, request, body: body, context: context)
        let query = request.uri.queryParameters
        let search = try TrainingJobSearch.parse(
            body, query: ["limit": query["limit"].map(String.init), "offset": query["offset"].map(String.init)].compactMapValues { $0 })
        let (total, count, page) = await cloud.searchTrainingJobs(search)
        if let lost = admission.lostResponse { try await gateway.loseResponse(lost, route: .jobSearch, context: context) }
        return JSONResponse.make(.ok, .object([
            "total": .integer(Int64(total)),
            "count": .integer(Int64(count)),
            "limit": .integer(Int64(search.limit)),
            "offset": .integer(Int64(search.offset)),
            "sort_by": .string(search.sortBy),
            "order": .string(search.order),
            "group_by": .string(search.groupBy),
            "items": .array(page.map { TrainingJobView.job($0.job, snapshot: $0.snapshot) }),
        ]))
    }

    /// `{"action_type": "terminate"}`: 202 with the job in phase Terminating.
    @Sendable func action(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        let id = try PathParameters.trainingJobID(context)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let admission = try await gateway.admit(.jobAction, request, body: body, context: context)
        let document: JSONValue
        do {
            document = try JSONValue.parse(Data(body.readableBytesView))
        } catch {
            throw ServiceError.invalidJSONBody()
        }
        switch document["action_type"]?.stringValue ?? "" {
        case "terminate":
            break
        case "restart":
            _ = try await cloud.readTrainingJob(id)
            throw ServiceError.notAllowedToRestart(id)
        default:
            throw ServiceError.invalidTrainingJobParameter("action_type must be one of [terminate restart]")
        }
        let (job, snapshot) = try await cloud.terminateTrainingJob(id)
        if let lost = admission.lostResponse { try await gateway.loseResponse(lost, route: .jobAction, context: context) }
        return JSONResponse.make(.accepted, TrainingJobView.job(job, snapshot: snapshot))
    }

    /// 202 with an empty body; the job stays readable until the deletion completes.
    @Sendable func delete(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        let id = try PathParameters.trainingJobID(context)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let admission = try await gateway.admit(.jobDelete, request, body: body, context: context)
        try await cloud.deleteTrainingJob(id)
        if let lost = admission.lostResponse { try await gateway.loseResponse(lost, route: .jobDelete, context: context) }
        return Response(status: .accepted)
    }
}
