import NIOHTTP1

/// Method, path and query of one API call, built in one place so every path has no trailing slash and
/// every query is sent in canonical (signed) form.
struct RequestTarget: Sendable, Equatable {
    var method: HTTPMethod
    /// Relative to the project: `/training-jobs/10/versions`.
    var pathInProject: String
    var query: [QueryItem]

    struct QueryItem: Sendable, Hashable {
        var name: String
        var value: String
    }

    var queryPairs: [(name: String, value: String)] { query.map { ($0.name, $0.value) } }

    /// `/v1/{project_id}` + the path, below any prefix the endpoint URL has.
    func path(basePath: String, projectID: String) -> String {
        let base = basePath.hasSuffix("/") ? String(basePath.dropLast()) : basePath
        return base + "/v1/" + SigningCanonicalizer.percentEncode(projectID) + pathInProject
    }

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
}
