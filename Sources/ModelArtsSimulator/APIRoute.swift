/// The API operations the simulator serves; the key for counters, faults and throttling.
enum APIRoute: String, Sendable, Hashable, CaseIterable {
    case create, show, list, stop, delete, token
    case listJobs = "list_jobs"

    var faultTarget: FaultRule.Target {
        switch self {
        case .create: .create
        case .show: .show
        case .list: .list
        case .stop: .stop
        case .delete: .delete
        case .token: .token
        case .listJobs: .listJobs
        }
    }
}
