import Foundation
import ModelArts

/// Decides which of a job's listed versions, if any, an attempt with an unknown outcome created
/// (DESIGN §2, reconciliation).
///
/// With the ` [trainq:<id>]` marker in `job_desc` the match is exact. Without it (the marker did not fit,
/// is switched off, or the listing does not show `job_desc`), a version matches when it was created no
/// earlier than the attempt's start and agrees with the request on `pre_version_id` and every
/// configuration field both sides show (`VersionDetail.conflicts(with:)`). "No earlier" is judged on
/// ModelArts' clock, which stamps `create_time`: the attempt's start as the service's answers placed it
/// (`ServerClock`), less `serverClockMargin`; only when that is unknown, the host's clock less
/// `clockSkewMargin`, which is as wide as the signature window. Only one create per job is in flight or
/// unknown at a time, which is what makes this heuristic safe.
public struct VersionMatcher: Sendable {
    /// What the attempt sent, and when.
    public struct Attempt: Sendable, Hashable {
        public var startedAt: Date
        /// The earliest ModelArts' clock read when the attempt began; nil when it was not known.
        public var serverStartedAt: Date?
        /// The tag that was appended to `job_desc`, or `nil` when none was.
        public var marker: String?
        /// Versions already owned by other submissions: never this attempt's.
        public var excludedVersionIDs: Set<Int64>

        public init(startedAt: Date, serverStartedAt: Date? = nil, marker: String?, excludedVersionIDs: Set<Int64> = []) {
            self.startedAt = startedAt
            self.serverStartedAt = serverStartedAt
            self.marker = marker
            self.excludedVersionIDs = excludedVersionIDs
        }
    }

    /// A version as the job's listing shows it.
    public struct Listed: Sendable, Hashable {
        public var versionID: Int64
        public var versionName: String?
        public var createTime: Date?
        public var status: Int?
        /// `nil` when the listing does not show it.
        public var jobDesc: String?
        /// The fields in which the version visibly differs from the request (`pre_version_id`, the
        /// configuration, `job_desc`); empty when everything both sides show agrees.
        public var conflicts: [String]

        public init(
            versionID: Int64, versionName: String? = nil, createTime: Date? = nil, status: Int? = nil,
            jobDesc: String? = nil, conflicts: [String] = []
        ) {
            self.versionID = versionID
            self.versionName = versionName
            self.createTime = createTime
            self.status = status
            self.jobDesc = jobDesc
            self.conflicts = conflicts
        }

        public var observed: ObservedRun {
            ObservedRun(id: versionID, name: versionName, createdAt: createTime, status: status.map(VersionStatus.init(code:)))
        }
    }

    public enum Verdict: Sendable, Hashable {
        case match(Listed)
        case none
        case ambiguous([Listed])
    }

    /// How far `create_time` may precede the attempt's start on the host's clock.
    public var clockSkewMargin: Duration
    /// The same, when the start is known on the service's clock: the gateway that answered and the
    /// machine that stamped the version may disagree by a little.
    public var serverClockMargin: Duration

    public init(clockSkewMargin: Duration, serverClockMargin: Duration = .seconds(2)) {
        self.clockSkewMargin = clockSkewMargin
        self.serverClockMargin = serverClockMargin
    }

    /// The earliest `create_time` the attempt's version can carry.
    public func earliestCreateTime(of attempt: Attempt) -> Date {
        if let serverStartedAt = attempt.serverStartedAt {
            return serverStartedAt.addingTimeInterval(-serverClockMargin.timeInterval)
        }
        return attempt.startedAt.addingTimeInterval(-clockSkewMargin.timeInterval)
    }

    public func match(_ attempt: Attempt, in versions: [Listed]) -> Verdict {
        let eligible = versions.filter { !attempt.excludedVersionIDs.contains($0.versionID) }
        var candidates: [Listed]
        if let marker = attempt.marker {
            let marked = eligible.filter { $0.jobDesc?.contains(marker) == true }
            if !marked.isEmpty { return verdict(marked) }
            // A version whose description is shown without the marker is certainly not ours; one whose
            // description the listing hides can only be judged by the heuristic.
            candidates = eligible.filter { $0.jobDesc == nil }
        } else {
            candidates = eligible
        }
        let earliest = earliestCreateTime(of: attempt)
        candidates = candidates.filter { version in
            if let created = version.createTime, created < earliest { return false }
            return version.conflicts.isEmpty
        }
        return verdict(candidates)
    }

    private func verdict(_ candidates: [Listed]) -> Verdict {
        switch candidates.count {
        case 0: .none
        case 1: .match(candidates[0])
        default: .ambiguous(candidates.sorted { $0.versionID < $1.versionID })
        }
    }
}
