import TrainQAPI
import TrainQStore

/// What the tracker keeps in memory for one `tracking` submission: only what polling needs, so ten
/// thousand tracked versions cost a few megabytes rather than ten thousand stored requests.
struct TrackedVersion: Sendable, Hashable {
    var submissionID: String
    var job: JobKey
    var versionID: Int64
    /// The remote status code last stored; nil before the first one.
    var remoteCode: Int?
    var schedule: TrackingSchedule
    var nextPollAt: ContinuousClock.Instant
    /// An undocumented status is logged once per version, not at every poll.
    var warnedUnknownStatus = false

    /// Nil for a submission that is not `tracking` or has no version id, which cannot be tracked.
    init?(_ submission: SubmissionView, schedule: TrackingSchedule, firstPollAt: ContinuousClock.Instant) {
        guard submission.state == .tracking, let versionID = submission.versionID else { return nil }
        self.submissionID = submission.id
        self.job = JobKey(projectID: submission.projectID, jobID: submission.jobID)
        self.versionID = versionID
        self.remoteCode = submission.remoteStatus?.code
        self.schedule = schedule
        self.nextPollAt = firstPollAt
    }
}
