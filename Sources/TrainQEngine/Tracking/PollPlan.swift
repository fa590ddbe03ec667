/// How to refresh the due versions of one job: one list-versions call (all pages) refreshes every
/// version of the job at once, one show call refreshes one. Choose whichever costs fewer calls.
enum PollPlan: Equatable {
    case list(pages: Int)
    case show(count: Int)

    /// - Parameters:
    ///   - dueVersions: tracked versions of this job due for a poll now.
    ///   - knownVersionCount: the job's `version_count` from its last list, if any.
    ///   - pageSize: versions per list page.
    static func choose(dueVersions: Int, knownVersionCount: Int64?, pageSize: Int) -> PollPlan {
        guard dueVersions > 1 else { return .show(count: dueVersions) }
        // Without a count yet, one list tells it; a job's first page holds at most `pageSize` versions.
        let versions = Int(knownVersionCount ?? Int64(pageSize))
        let pages = max(1, (versions + pageSize - 1) / pageSize)
        return pages < dueVersions ? .list(pages: pages) : .show(count: dueVersions)
    }
}
