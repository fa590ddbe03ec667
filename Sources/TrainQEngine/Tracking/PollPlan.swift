/// How to refresh the due versions of one job: one list-versions call (all pages) refreshes every
/// version of the job at once, one show call refreshes one. Choose whichever costs fewer calls; on a
/// tie, list when more than one version is tracked, since the list refreshes the ones not yet due too.
enum PollPlan: Equatable {
    case list(pages: Int)
    case show(count: Int)

    /// - Parameters:
    ///   - dueVersions: tracked versions of this job due for a poll now.
    ///   - trackedVersions: every tracked version of this job (due or not).
    ///   - knownVersionCount: the job's `version_count` from its last list, if any.
    ///   - pageSize: versions per list page.
    static func choose(dueVersions: Int, trackedVersions: Int, knownVersionCount: Int64?, pageSize: Int) -> PollPlan {
        guard dueVersions >= 1, trackedVersions > 1 else { return .show(count: dueVersions) }
        let pages = pageCount(knownVersionCount: knownVersionCount, pageSize: pageSize)
        return pages <= dueVersions ? .list(pages: pages) : .show(count: dueVersions)
    }

    /// Without a count yet, assume one page: that first list tells the count.
    static func pageCount(knownVersionCount: Int64?, pageSize: Int) -> Int {
        let pageSize = Int64(max(1, pageSize))
        let versions = max(0, knownVersionCount ?? 0)
        return Int(max(1, (versions + pageSize - 1) / pageSize))
    }
}

/// How to refresh the tracked v2 jobs of one project: one search for the jobs in an active phase (one
/// page, up to 50) reads every tracked job that has not ended, where a show reads one. Search when more
/// than one job is tracked and the project's active jobs fit one page (or their number is not known
/// yet: the first search tells it); a tracked job the page does not hold is shown when due.
enum TrainingJobPollPlan: Equatable {
    case search
    case show

    static func choose(dueJobs: Int, trackedJobs: Int, knownActiveCount: Int64?, pageLimit: Int, searchWorks: Bool) -> TrainingJobPollPlan {
        guard searchWorks, dueJobs >= 1, trackedJobs > 1 else { return .show }
        return (knownActiveCount ?? 0) <= Int64(pageLimit) ? .search : .show
    }
}
