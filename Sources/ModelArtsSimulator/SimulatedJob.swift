/// A training job of the simulated service.
struct SimulatedJob: Sendable {
    var jobID: Int64
    var jobName: String
    var jobDesc: String
    var createTime: Int64
    /// Its versions' ids in creation order (deleted ones included; they are filtered on read).
    var versionIds: [Int64] = []
}
