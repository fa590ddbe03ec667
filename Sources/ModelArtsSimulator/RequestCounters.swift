/// How many requests each operation received, plus the ones refused at the gateway; tests read these
/// from the ledger to count retries exactly.
public struct RequestCounters: Sendable, Hashable, Codable {
    public var create = 0
    public var show = 0
    public var list = 0
    public var stop = 0
    public var delete = 0
    public var listJobs = 0
    public var token = 0
    public var jobCreate = 0
    public var jobShow = 0
    public var jobSearch = 0
    public var jobAction = 0
    public var jobDelete = 0
    public var rejectedAuth = 0
    public var throttled = 0
    /// Faults of any kind that fired.
    public var faults = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case create, show, list, stop, delete, token, throttled, faults
        case listJobs = "list_jobs"
        case rejectedAuth = "rejected_auth"
        case jobCreate = "job_create"
        case jobShow = "job_show"
        case jobSearch = "job_search"
        case jobAction = "job_action"
        case jobDelete = "job_delete"
    }

    mutating func record(_ route: APIRoute) {
        switch route {
        case .create: create += 1
        case .show: show += 1
        case .list: list += 1
        case .stop: stop += 1
        case .delete: delete += 1
        case .listJobs: listJobs += 1
        case .token: token += 1
        case .jobCreate: jobCreate += 1
        case .jobShow: jobShow += 1
        case .jobSearch: jobSearch += 1
        case .jobAction: jobAction += 1
        case .jobDelete: jobDelete += 1
        }
    }
}
