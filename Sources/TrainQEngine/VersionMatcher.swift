import Foundation
import ModelArts

/// Decides which of a job's listed versions, if any, an attempt with an unknown outcome created
/// (DESIGN §2, reconciliation).
///
/// With the ` [trainq:<id>]` marker in `job_desc` the match is exact. Without it (the marker did not fit,
/// is switched off, or the listing does not show `job_desc`), a version matches when it has the same
/// `pre_version_id`, was created no earlier than the attempt's start minus a clock-skew margin, and
/// agrees on every configuration field both sides show. Only one create per job is in flight or unknown
/// at a time, which is what makes this heuristic safe.
public struct VersionMatcher: Sendable {
    /// What the attempt sent, and when.
    public struct Attempt: Sendable, Hashable {
        public var startedAt: Date
        /// The tag that was appended to `job_desc`, or `nil` when none was.
        public var marker: String?
        public var preVersionID: Int64?
        public var configuration: ConfigurationFingerprint
        /// Versions already owned by other submissions: never this attempt's.
        public var excludedVersionIDs: Set<Int64>

        public init(
            startedAt: Date, marker: String?, preVersionID: Int64?, configuration: ConfigurationFingerprint,
            excludedVersionIDs: Set<Int64> = []
        ) {
            self.startedAt = startedAt
            self.marker = marker
            self.preVersionID = preVersionID
            self.configuration = configuration
            self.excludedVersionIDs = excludedVersionIDs
        }
    }

    /// A version as the job's listing shows it.
    public struct Listed: Sendable, Hashable {
        public var versionID: Int64
        public var versionName: String?
        public var preVersionID: Int64?
        public var createTime: Date?
        public var status: Int?
        /// `nil` when the listing does not show it.
        public var jobDesc: String?
        public var configuration: ConfigurationFingerprint

        public init(
            versionID: Int64, versionName: String? = nil, preVersionID: Int64? = nil, createTime: Date? = nil,
            status: Int? = nil, jobDesc: String? = nil, configuration: ConfigurationFingerprint = .init()
        ) {
            self.versionID = versionID
            self.versionName = versionName
            self.preVersionID = preVersionID
            self.createTime = createTime
            self.status = status
            self.jobDesc = jobDesc
            self.configuration = configuration
        }

        public var observed: ObservedVersion {
            ObservedVersion(id: versionID, name: versionName, createdAt: createTime, status: status.map(VersionStatus.init(code:)))
        }
    }

    public enum Verdict: Sendable, Hashable {
        case match(Listed)
        case none
        case ambiguous([Listed])
    }

    public var clockSkewMargin: Duration

    public init(clockSkewMargin: Duration) {
        self.clockSkewMargin = clockSkewMargin
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
        let earliest = attempt.startedAt.addingTimeInterval(-clockSkewMargin.timeInterval)
        candidates = candidates.filter { version in
            if let expected = attempt.preVersionID, version.preVersionID != expected { return false }
            if let created = version.createTime, created < earliest { return false }
            return attempt.configuration.isCompatible(with: version.configuration)
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

/// The configuration fields of a version that reconciliation compares, each reduced to a canonical
/// string (`"1"`, `"/usr/app/"`), so that a request's JSON and a listing's lenient decoding compare alike.
public struct ConfigurationFingerprint: Sendable, Hashable {
    /// The fields worth comparing: what a person sets per version. Derived fields (engine name, spec code,
    /// pool name...) are left out, because the listing fills them in from the ids.
    public static let comparedFields: [String] = [
        "worker_server_num", "app_url", "boot_file_url", "data_url", "dataset_id", "dataset_version_id",
        "spec_id", "pool_id", "engine_id", "model_id", "train_url", "log_url", "user_image_url", "user_command",
        "parameter",
    ]

    public var fields: [String: String]

    public init(fields: [String: String] = [:]) {
        self.fields = fields.filter { Self.comparedFields.contains($0.key) }
    }

    /// True when every field that both sides show has the same value. A field shown by only one side
    /// decides nothing: listings leave fields out.
    public func isCompatible(with other: ConfigurationFingerprint) -> Bool {
        for (key, value) in fields {
            if let theirs = other.fields[key],
                theirs.normalizedForComparison(key: key) != value.normalizedForComparison(key: key)
            {
                return false
            }
        }
        return true
    }
}

extension String {
    /// OBS paths are compared without a trailing slash: `/usr/app` and `/usr/app/` are the same place.
    fileprivate func normalizedForComparison(key: String) -> String {
        guard key.hasSuffix("_url"), count > 1, hasSuffix("/") else { return self }
        return String(dropLast())
    }
}
