/// The API operations the simulator serves; the key for counters, faults and throttling.
enum APIRoute: String, Sendable, Hashable, CaseIterable {
    case create, show, list, stop, delete, token
    case listJobs = "list_jobs"
    /// The v2 training-job operations.
    case jobCreate = "job_create"
    case jobShow = "job_show"
    case jobSearch = "job_search"
    case jobAction = "job_action"
    case jobDelete = "job_delete"

    var faultTarget: FaultRule.Target {
        switch self {
        case .create: .create
        case .show: .show
        case .list: .list
        case .stop: .stop
        case .delete: .delete
        case .token: .token
        case .listJobs: .listJobs
        case .jobCreate: .jobCreate
        case .jobShow: .jobShow
        case .jobSearch: .jobSearch
        case .jobAction: .jobAction
        case .jobDelete: .jobDelete
        }
    }

    /// A v2 route: its errors come in the v2 body shape.
    var isTrainingJobRoute: Bool {
        switch self {
        case .jobCreate, .jobShow, .jobSearch, .jobAction, .jobDelete: true
        case .create, .show, .list, .stop, .delete, .token, .listJobs: false
        }
    }
}
