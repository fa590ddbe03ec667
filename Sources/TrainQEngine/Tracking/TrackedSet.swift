import TrainQStore

/// The versions being tracked, indexed by submission and by job, with what the last list told about
/// each job. A value type: the tracker owns one and changes it between calls.
struct TrackedSet: Sendable {
    /// The versions, densely, found through `slots`. A dictionary of the versions themselves kept up to
    /// half of its buckets empty, each as wide as a version (256 bytes): 67 MB at 100,000, and twice that
    /// while it grew. In chunks, so that growing never holds two copies (`ChunkedArray`).
    private var entries = ChunkedArray<TrackedVersion>()
    private var slots: [SubmissionKey: Int] = [:]
    private var submissionsByJob: [JobKey: Set<SubmissionKey>] = [:]
    /// Tracked v2 jobs by project (each has a lane of its own, so `submissionsByJob` cannot group them):
    /// a round reads them without a pass over every tracked version.
    private var trainingJobsByProject: [String: Set<SubmissionKey>] = [:]
    /// `version_count` from each job's last list: how many pages the next list costs.
    private var versionCounts: [JobKey: Int64] = [:]
    /// Per project, how many v2 jobs were in an active phase at the last search: whether one page holds them.
    private(set) var activeTrainingJobCounts: [String: Int64] = [:]
    /// Per job, a time no later than its earliest due version, and exactly that for every job not in
    /// `jobsToRefresh`. A round asks what is due and when to wake next; reading every tracked version for
    /// that cost a quarter of the tracker's CPU at 100,000 versions. The versions of a job mostly move
    /// together (one list serves them), so a job is refreshed once per round, not once per version.
    private var earliestDue: [JobKey: ContinuousClock.Instant] = [:]
    /// Every project id seen (a handful), so tracked versions share one copy of each.
    private var projectIDs: Set<String> = []
    /// Jobs whose earliest version was polled or removed since `earliestDue` was exact.
    private var jobsToRefresh: Set<JobKey> = []
    /// Projects whose search failed with an error that will not heal (a filter the service refuses, a
    /// missing permission): their jobs are shown one by one from then on.
    private(set) var projectsWithoutSearch: Set<String> = []

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }
    /// Jobs with at least one tracked version: a round costs about one list call for each.
    var jobCount: Int { submissionsByJob.count }

    subscript(id: SubmissionKey) -> TrackedVersion? {
        get { slots[id].map { entries[$0] } }
        set {
            if let newValue { insert(newValue) } else { remove(id) }
        }
    }

    func contains(_ id: SubmissionKey) -> Bool { slots[id] != nil }

    mutating func insert(_ version: TrackedVersion) {
        var version = version
        // When the version replaced (same job) was due; nil for a new one or one that changed jobs.
        var replacedDue: ContinuousClock.Instant?
        if let slot = slots[version.submissionID] {
            if entries[slot].job == version.job {
                replacedDue = entries[slot].nextPollAt
                entries[slot] = version
            } else {
                remove(version.submissionID)
            }
        }
        if replacedDue == nil {
            // One copy of each project id rather than one per tracked version (64 bytes each).
            version.job.projectID = projectIDs.insert(version.job.projectID).memberAfterInsert
            slots[version.submissionID] = entries.count
            entries.append(version)
        }
        submissionsByJob[version.job, default: []].insert(version.submissionID)
        if let bound = earliestDue[version.job] {
            if version.nextPollAt < bound {
                earliestDue[version.job] = version.nextPollAt
            } else if let replacedDue, replacedDue <= bound, version.nextPollAt > replacedDue {
                jobsToRefresh.insert(version.job)
            }
        } else {
            earliestDue[version.job] = version.nextPollAt
        }
        if version.versionID == nil { trainingJobsByProject[version.job.projectID, default: []].insert(version.submissionID) }
    }

    @discardableResult
    mutating func remove(_ id: SubmissionKey) -> TrackedVersion? {
        guard let slot = slots.removeValue(forKey: id) else { return nil }
        let old = entries[slot]
        // The last entry fills the hole.
        let last = entries.removeLast()
        if slot < entries.count {
            entries[slot] = last
            slots[last.submissionID] = slot
        }
        if old.versionID == nil {
            trainingJobsByProject[old.job.projectID]?.remove(id)
            if trainingJobsByProject[old.job.projectID]?.isEmpty == true { trainingJobsByProject[old.job.projectID] = nil }
        }
        submissionsByJob[old.job]?.remove(id)
        if submissionsByJob[old.job]?.isEmpty == true {
            submissionsByJob[old.job] = nil
            versionCounts[old.job] = nil
            earliestDue[old.job] = nil
            jobsToRefresh.remove(old.job)
        } else if let bound = earliestDue[old.job], old.nextPollAt <= bound {
            jobsToRefresh.insert(old.job)
        }
        return old
    }

    /// Calls `body` with every version, in no particular order.
    func forEachVersion(_ body: (TrackedVersion) -> Void) {
        for index in 0..<entries.count { body(entries[index]) }
    }

    /// Every tracked submission of `job`.
    func submissions(of job: JobKey) -> Set<SubmissionKey> {
        submissionsByJob[job] ?? []
    }

    func versionCount(of job: JobKey) -> Int64? { versionCounts[job] }

    mutating func setVersionCount(_ count: Int64, of job: JobKey) {
        guard submissionsByJob[job] != nil else { return }
        versionCounts[job] = count
    }

    /// Tracked v2 jobs of `projectID` (each has a lane of its own).
    func trainingJobs(in projectID: String) -> [SubmissionKey] {
        (trainingJobsByProject[projectID] ?? []).sorted()
    }

    mutating func setActiveTrainingJobCount(_ count: Int64, in projectID: String) {
        activeTrainingJobCounts[projectID] = count
    }

    mutating func stopSearching(_ projectID: String) {
        projectsWithoutSearch.insert(projectID)
    }

    /// Jobs with at least one version due at `now`, with how many are due.
    mutating func dueCounts(at now: ContinuousClock.Instant) -> [JobKey: Int] {
        refreshEarliestDue()
        var counts: [JobKey: Int] = [:]
        for (job, earliest) in earliestDue where earliest <= now {
            var count = 0
            for id in submissionsByJob[job] ?? [] where self[id].map({ $0.nextPollAt <= now }) ?? false {
                count += 1
            }
            if count > 0 { counts[job] = count }
        }
        return counts
    }

    /// Due submissions of `job`.
    func due(of job: JobKey, at now: ContinuousClock.Instant) -> [SubmissionKey] {
        submissions(of: job).filter { id in self[id].map { $0.nextPollAt <= now } ?? false }.sorted()
    }

    /// When the next version is due, nil when nothing is tracked.
    mutating func nextPollAt() -> ContinuousClock.Instant? {
        refreshEarliestDue()
        return earliestDue.values.min()
    }

    /// Makes `earliestDue` exact again for the jobs whose earliest version moved.
    private mutating func refreshEarliestDue() {
        for job in jobsToRefresh {
            var earliest: ContinuousClock.Instant?
            for id in submissionsByJob[job] ?? [] {
                guard let due = self[id]?.nextPollAt else { continue }
                if earliest.map({ due < $0 }) ?? true { earliest = due }
            }
            earliestDue[job] = earliest
        }
        jobsToRefresh.removeAll(keepingCapacity: true)
    }
}
