import Hummingbird
import JSONTree

/// List training jobs (reference §2.9): filter, sort, then page (default page 1, unlike list versions).
struct JobRoutes: Sendable {
    let cloud: SimulatedCloud
    let gateway: APIGateway
    /// The job quota reported in `quotas`.
    static let quota = 1_000

    private static let sortKeys = ["job_name", "job_desc", "status", "duration", "version_count", "create_time"]

    /// One row of the answer, before sorting.
    private struct Row {
        var job: SimulatedJob
        var latest: SimulatedVersion?
        var status: Int
        var duration: Int64
        var versionCount: Int
    }

    func register(on router: Router<SimulatorRequestContext>) {
        router.get("/v1/:project_id/training-jobs", use: list)
    }

    @Sendable func list(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        _ = try PathParameters.projectID(context)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let admission = try await gateway.admit(.listJobs, request, body: body, context: context)
        let query = request.uri.queryParameters
        func parameter(_ name: String) -> String? { query[Substring(name)].map(String.init) }
        let pagination = try Pagination.parse(
            page: parameter("page"), perPage: parameter("per_page"), defaultPage: 1, pageRange: 1...65_535)
        let sortBy = parameter("sortBy") ?? "job_name"
        guard Self.sortKeys.contains(sortBy) else {
            throw ServiceError.invalidArgument("sortBy must be one of \(Self.sortKeys.joined(separator: ", ")).")
        }
        let order = parameter("order") ?? "asc"
        guard order == "asc" || order == "desc" else { throw ServiceError.invalidArgument("order must be asc or desc.") }
        let search = parameter("search_content") ?? ""
        guard search.count <= 64 else { throw ServiceError.invalidArgument("search_content is longer than 64 characters.") }
        var statusFilter: Int?
        if let status = parameter("status"), !status.isEmpty {
            guard let value = Int(status) else { throw ServiceError.invalidArgument("status must be a number.") }
            statusFilter = value
        }

        var rows: [Row] = []
        for (job, versions) in await cloud.allJobs() {
            let latest = versions.max { $0.versionID < $1.versionID }
            var snapshot: SimulatedVersion.StateMachine.Snapshot?
            if let latest { snapshot = await cloud.snapshot(of: latest) }
            rows.append(Row(job: job, latest: latest, status: snapshot?.status ?? 0, duration: snapshot?.duration ?? 0, versionCount: versions.count))
        }
        rows = rows.filter { row in
            (statusFilter.map { $0 == row.status } ?? true) && (search.isEmpty || row.job.jobName.contains(search))
        }
        rows.sort { lhs, rhs in
            let ascending = Self.precedes(lhs, rhs, by: sortBy)
            let descending = Self.precedes(rhs, lhs, by: sortBy)
            if ascending == descending { return lhs.job.jobID < rhs.job.jobID }
            return order == "asc" ? ascending : descending
        }
        let total = rows.count
        let items: [JSONValue] = pagination.apply(to: rows).map { row in
            var members: [String: JSONValue] = [
                "job_id": .integer(row.job.jobID),
                "job_name": .string(row.job.jobName),
                "job_desc": .string(row.job.jobDesc),
                "status": .integer(Int64(row.status)),
                "create_time": .integer(row.job.createTime),
                "duration": .integer(row.duration),
                "version_count": .integer(Int64(row.versionCount)),
            ]
            if let latest = row.latest { members["version_id"] = .integer(latest.versionID) }
            return .object(members)
        }
        if let lost = admission.lostResponse { try await gateway.loseResponse(lost, route: .listJobs, context: context) }
        return JSONResponse.make(.ok, .object([
            "is_success": .bool(true),
            "job_total_count": .integer(Int64(total)),
            "job_count_limit": .integer(Int64(max(0, Self.quota - total))),
            "quotas": .integer(Int64(Self.quota)),
            "jobs": .array(items),
        ]))
    }

    private static func precedes(_ lhs: Row, _ rhs: Row, by key: String) -> Bool {
        switch key {
        case "job_desc": lhs.job.jobDesc < rhs.job.jobDesc
        case "status": lhs.status < rhs.status
        case "duration": lhs.duration < rhs.duration
        case "version_count": lhs.versionCount < rhs.versionCount
        case "create_time": lhs.job.createTime < rhs.job.createTime
        default: lhs.job.jobName < rhs.job.jobName
        }
    }
}
