import NIOHTTP1

/// Method, path and query of one API call, built in one place so every path has no trailing slash and
/// every query is sent in canonical (signed) form.
struct RequestTarget: Sendable, Equatable {
    var method: HTTPMethod
    /// Relative to the project: `/training-jobs/10/versions`.
    var pathInProject: String
    var query: [QueryItem]
    /// `v1` for the historical training API, `v2` for today's training jobs.
    var apiVersion = "v1"

    struct QueryItem: Sendable, Hashable {
        var name: String
        var value: String
    }

    var queryPairs: [(name: String, value: String)] { query.map { ($0.name, $0.value) } }

    /// `/v1/{project_id}` (or `/v2/...`) + the path, below any prefix the endpoint URL has.
    func path(basePath: String, projectID: String) -> String {
        let base = basePath.hasSuffix("/") ? String(basePath.dropLast()) : basePath
        return base + "/" + apiVersion + "/" + SigningCanonicalizer.percentEncode(projectID) + pathInProject
    }

    /// The SDK declares `application/json;charset=UTF-8` for the v2 calls and plain JSON for v1; we
    /// send what it sends, since the value is signed.
    var contentType: String { apiVersion == "v1" ? "application/json" : "application/json;charset=UTF-8" }

    static func createVersion(jobID: Int64) -> RequestTarget {
        RequestTarget(method: .POST, pathInProject: "/training-jobs/\(jobID)/versions", query: [])
    }

    static func showVersion(jobID: Int64, versionID: Int64) -> RequestTarget {
        RequestTarget(method: .GET, pathInProject: "/training-jobs/\(jobID)/versions/\(versionID)", query: [])
    }

    /// `page == 0` means "no paging" to the service; we then send neither parameter.
    static func listVersions(jobID: Int64, page: Int, perPage: Int) -> RequestTarget {
        let query: [QueryItem] = page == 0 ? [] : [.init(name: "page", value: String(page)), .init(name: "per_page", value: String(perPage))]
        return RequestTarget(method: .GET, pathInProject: "/training-jobs/\(jobID)/versions", query: query)
    }

    static func stopVersion(jobID: Int64, versionID: Int64) -> RequestTarget {
        RequestTarget(method: .POST, pathInProject: "/training-jobs/\(jobID)/versions/\(versionID)/stop", query: [])
    }

    static func listJobs(_ query: JobListQuery) -> RequestTarget {
        RequestTarget(method: .GET, pathInProject: "/training-jobs", query: query.items)
    }

    // MARK: - v2 training jobs

    static let createTrainingJob = RequestTarget(
        method: .POST, pathInProject: "/training-jobs", query: [], apiVersion: "v2")

    static func showTrainingJob(_ trainingJobID: String) -> RequestTarget {
        RequestTarget(
            method: .GET, pathInProject: "/training-jobs/" + SigningCanonicalizer.percentEncode(trainingJobID), query: [],
            apiVersion: "v2")
    }

    static let searchTrainingJobs = RequestTarget(
        method: .POST, pathInProject: "/training-job-searches", query: [], apiVersion: "v2")

    static func trainingJobAction(_ trainingJobID: String) -> RequestTarget {
        RequestTarget(
            method: .POST, pathInProject: "/training-jobs/" + SigningCanonicalizer.percentEncode(trainingJobID) + "/actions",
            query: [], apiVersion: "v2")
    }
}
