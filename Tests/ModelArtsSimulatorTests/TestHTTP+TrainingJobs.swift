import JSONTree
import NIOHTTP1

/// v2 training-job calls against a simulator on loopback.
extension TestHTTP {
    static let trainingJobsPath = "/v2/\(project)/training-jobs"
    static let searchesPath = "/v2/\(project)/training-job-searches"

    /// A realistic code-dir job body (reference §4.2), compact so tests can compare it byte for byte.
    static func jobBody(name: String, kind: String = "job", nodeCount: Int = 1) -> String {
        """
        {"kind":"\(kind)","metadata":{"name":"\(name)","description":"retrain of job A"},\
        "algorithm":{"code_dir":"/bucket/app/","boot_file":"/bucket/app/boot.py",\
        "engine":{"engine_name":"PyTorch","engine_version":"pytorch_1.8.0"},\
        "parameters":[{"name":"learning_rate","value":"0.01"}],\
        "inputs":[{"name":"data_url","remote":{"obs":{"obs_url":"/bucket/data/"}}}],\
        "outputs":[{"name":"train_url","remote":{"obs":{"obs_url":"/bucket/out/"}}}],\
        "environments":{"B_VAR":"2","A_VAR":"1"}},\
        "spec":{"resource":{"flavor_id":"modelarts.p3.large.public.free","node_count":\(nodeCount)},\
        "log_export_path":{"obs_url":"/bucket/log/"}}}
        """
    }

    func createJob(name: String, kind: String = "job") async throws -> Reply {
        try await send(.POST, Self.trainingJobsPath, body: Self.jobBody(name: name, kind: kind))
    }

    func showJob(_ id: String) async throws -> Reply {
        try await send(.GET, Self.trainingJobsPath + "/\(id)")
    }

    func terminateJob(_ id: String, actionType: String = "terminate") async throws -> Reply {
        try await send(.POST, Self.trainingJobsPath + "/\(id)/actions", body: #"{"action_type":"\#(actionType)"}"#)
    }

    func deleteJob(_ id: String) async throws -> Reply {
        try await send(.DELETE, Self.trainingJobsPath + "/\(id)")
    }

    func searchJobs(_ body: String = "{}", query: String = "") async throws -> Reply {
        try await send(.POST, Self.searchesPath + query, body: body)
    }

    /// The names of a search answer's items, in order.
    static func names(_ reply: Reply) -> [String] {
        reply.json?["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
    }
}

extension TestHTTP.Reply {
    var jobID: String? { json?["metadata"]?["id"]?.stringValue }
    var phase: String? { json?["status"]?["phase"]?.stringValue }
}
