import TrainQStore

/// The versions being tracked, indexed by submission and by job, with what the last list told about
/// each job. A value type: the tracker owns one and changes it between calls.
struct TrackedSet: Sendable {
    private(set) var versions: [String: TrackedVersion] = [:]
    private var submissionsByJob: [JobKey: Set<String>] = [:]
    /// Tracked v2 jobs by project (each has a lane of its own, so `submissionsByJob` cannot group them):
    /// a round reads them without a pass over every tracked version.
    private var trainingJobsByProject: [String: Set<String>] = [:]
    /// `version_count` from each job's last list: how many pages the next list costs.
    private var versionCounts: [JobKey: Int64] = [:]
    /// Per project, how many v2 jobs were in an active phase at the last search: whether one page holds them.
    private(set) var activeTrainingJobCounts: [String: Int64] = [:]
    /// Projects whose search failed with an error that will not heal (a filter the service refuses, a
    /// missing permission): their jobs are shown one by one from then on.
    private(set) var projectsWithoutSearch: Set<String> = []

    var count: Int { versions.count }
    var isEmpty: Bool { versions.isEmpty }
    /// Jobs with at least one tracked version: a round costs about one list call for each.
    var jobCount: Int { submissionsByJob.count }

    subscript(id: String) -> TrackedVersion? {
        get { versions[id] }
        set {
            if let newValue { insert(newValue) } else { remove(id) }
        }
    }

    func contains(_ id: String) -> Bool { versions[id] != nil }

    mutating func insert(_ version: TrackedVersion) {
        if let old = versions[version.submissionID], old.job != version.job {
            remove(old.submissionID)
        }
        versions[version.submissionID] = version
        submissionsByJob[version.job, default: []].insert(version.submissionID)
        if version.versionID == nil { trainingJobsByProject[version.job.projectID, default: []].insert(version.submissionID) }
    }

    mutating func remove(_ id: String) {
        guard let old = versions.removeValue(forKey: id) else { return }
        if old.versionID == nil {
            trainingJobsByProject[old.job.projectID]?.remove(id)
            if trainingJobsByProject[old.job.projectID]?.isEmpty == true { trainingJobsByProject[old.job.projectID] = nil }
        }
        submissionsByJob[old.job]?.remove(id)
        if submissionsByJob[old.job]?.isEmpty == true {
            submissionsByJob[old.job] = nil
            versionCounts[old.job] = nil
        }
    }

    /// Every tracked submission of `job`.
    func submissions(of job: JobKey) -> Set<String> {
        submissionsByJob[job] ?? []
    }

    func versionCount(of job: JobKey) -> Int64? { versionCounts[job] }

    mutating func setVersionCount(_ count: Int64, of job: JobKey) {
        guard submissionsByJob[job] != nil else { return }
        versionCounts[job] = count
    }

    /// Tracked v2 jobs of `projectID` (each has a lane of its own).
    func trainingJobs(in projectID: String) -> [String] {
        (trainingJobsByProject[projectID] ?? []).sorted()
    }

    mutating func setActiveTrainingJobCount(_ count: Int64, in projectID: String) {
        activeTrainingJobCounts[projectID] = count
    }

    mutating func stopSearching(_ projectID: String) {
        projectsWithoutSearch.insert(projectID)
    }

    /// Jobs with at least one version due at `now`, with how many are due.
    func dueCounts(at now: ContinuousClock.Instant) -> [JobKey: Int] {
        var counts: [JobKey: Int] = [:]
        for version in versions.values where version.nextPollAt <= now {
            counts[version.job, default: 0] += 1
        }
        return counts
    }

    /// Due submissions of `job`.
    func due(of job: JobKey, at now: ContinuousClock.Instant) -> [String] {
        submissions(of: job).filter { id in versions[id].map { $0.nextPollAt <= now } ?? false }.sorted()
    }

    /// When the next version is due, nil when nothing is tracked.
    var nextPollAt: ContinuousClock.Instant? {
        versions.values.lazy.map(\.nextPollAt).min()
    }
}
