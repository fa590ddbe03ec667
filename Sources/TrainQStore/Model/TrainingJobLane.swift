/// The `job_id` a v2 submission is stored under. v2 jobs need no one-create-per-job rule (each create
/// carries its own name, which reconciliation searches for exactly), but the due-work scan walks one
/// head per `(project_id, job_id)`: spreading v2 submissions over a fixed set of negative lanes keeps
/// that walk short under a sweep of thousands while letting up to `count` v2 creates run at once.
/// v1 job ids are positive, so a lane never meets a real job.
enum TrainingJobLane {
    static let count: UInt64 = 64

    /// -1 ... -64, from an FNV-1a hash of the submission id: stable across restarts and versions.
    static func of(submissionID: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in submissionID.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return -1 - Int64(hash % count)
    }
}
