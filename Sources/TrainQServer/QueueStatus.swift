import TrainQAPI

/// The one-line queue summary for `STATUS=` and logs.
enum QueueStatus {
    static func line(_ counts: [SubmissionState: Int]) -> String {
        let shown: [SubmissionState] = [.queued, .retrying, .submitting, .reconciling, .tracking, .needsAttention]
        return shown.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", ")
    }
}
