import Foundation
import Logging
import ModelArts
import ServiceLifecycle
import TrainQAPI
import TrainQStore

/// Follows every `tracking` submission's version until it reaches a terminal status (issue: tracking).
/// Polls with adaptive intervals, refreshes several versions of one job with one list call when that is
/// cheaper, stores every status change, and never ends tracking on a transient error.
public actor VersionTracker: Service {
    public struct Configuration: Sendable {
        public var minInterval: Duration
        public var maxInterval: Duration
        /// Versions per list-versions page.
        public var pageSize: Int

        public init(minInterval: Duration = .seconds(10), maxInterval: Duration = .seconds(120), pageSize: Int = 1000) {
            self.minInterval = minInterval
            self.maxInterval = maxInterval
            self.pageSize = pageSize
        }
    }

    private struct Tracked {
        var submission: StoredSubmission
        var schedule: TrackingSchedule
        var nextPollAt: ContinuousClock.Instant
        var warnedUnknownStatus = false
    }

    private let store: SubmissionStore
    private let client: ModelArtsClient
    private let configuration: Configuration
    private let logger: Logger
    private var tracked: [String: Tracked] = [:]
    private var knownVersionCounts: [JobKey: Int64] = [:]
    private var seenSequence: Int64 = -1

    public init(store: SubmissionStore, client: ModelArtsClient, configuration: Configuration, logger: Logger) {
        self.store = store
        self.client = client
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await refreshTrackedSet()
                try await pollDueVersions()
            } catch {
                logger.error("tracking round failed: \(error)")
            }
            let now = ContinuousClock.now
            let next = tracked.values.map(\.nextPollAt).min() ?? now + .seconds(1)
            // Wake at least every second: new submissions reach `tracking` through the store.
            let delay = max(.milliseconds(5), min(next - now, .seconds(1)))
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
        }
    }

    /// Reloads the `tracking` submissions when the store's events moved on (any state change may add or
    /// remove one), keeping each known version's schedule.
    /// Poll this submission's version at the next round (after a stop request, for example).
    public func pollSoon(_ id: String) {
        tracked[id]?.nextPollAt = .now
        tracked[id]?.schedule.reset()
    }

    private func refreshTrackedSet() async throws {
        let sequence = await store.lastSequence()
        guard sequence != seenSequence else { return }
        seenSequence = sequence
        let current = try await store.submissions(in: .tracking)
        var next: [String: Tracked] = [:]
        for submission in current where submission.view.versionID != nil {
            if var known = tracked[submission.id] {
                known.submission = submission
                next[submission.id] = known
            } else {
                next[submission.id] = Tracked(
                    submission: submission,
                    schedule: TrackingSchedule(minInterval: configuration.minInterval, maxInterval: configuration.maxInterval),
                    nextPollAt: .now
                )
            }
        }
        tracked = next
    }

    private func pollDueVersions() async throws {
        let now = ContinuousClock.now
        let due = tracked.values.filter { $0.nextPollAt <= now }
        let byJob = Dictionary(grouping: due, by: { $0.submission.jobKey })
        for (job, entries) in byJob {
            let plan = PollPlan.choose(
                dueVersions: entries.count, knownVersionCount: knownVersionCounts[job], pageSize: configuration.pageSize
            )
            switch plan {
            case .list:
                await pollByList(job: job, entries: entries)
            case .show:
                for entry in entries { await pollByShow(entry) }
            }
        }
    }

    private func pollByList(job: JobKey, entries: [Tracked]) async {
        do {
            let versions = try await client.listAllVersions(jobID: job.jobID, perPage: configuration.pageSize, projectID: job.projectID)
            knownVersionCounts[job] = Int64(versions.count)
            let byID = Dictionary(versions.compactMap { v in v.versionID.map { ($0, v) } }, uniquingKeysWith: { a, _ in a })
            for entry in entries {
                guard let versionID = entry.submission.view.versionID else { continue }
                if let detail = byID[versionID] {
                    await apply(detail, to: entry)
                } else {
                    // Not in the list: ask for it alone, which tells a vanished version (404) apart.
                    await pollByShow(entry)
                }
            }
        } catch {
            logger.warning("listing versions failed; will try again", metadata: ["job_id": "\(job.jobID)", "error": "\(error)"])
            for entry in entries { reschedule(entry.submission.id, changed: false) }
        }
    }

    private func pollByShow(_ entry: Tracked) async {
        let view = entry.submission.view
        guard let versionID = view.versionID else { return }
        do {
            let detail = try await client.showVersion(jobID: view.jobID, versionID: versionID, projectID: view.projectID)
            await apply(detail, to: entry)
        } catch where error.httpStatus == 404 {
            await finish(entry, as: .failed, status: nil, reason: "version \(versionID) no longer exists on ModelArts (404 \(error.errorCode ?? ""))")
        } catch {
            logger.warning("showing a version failed; will try again", metadata: metadata(entry, ["error": "\(error)"]))
            reschedule(entry.submission.id, changed: false)
        }
    }

    private func apply(_ detail: VersionDetail, to entry: Tracked) async {
        let id = entry.submission.id
        let now = Date()
        let status = detail.status
        let remote = RemoteStatusMapping.remoteStatus(status, at: now)
        let changed = entry.submission.view.remoteStatus?.code != status.code
        if status.category == .unknown, !entry.warnedUnknownStatus {
            logger.warning("version has a status trainq does not know; still tracking it", metadata: metadata(entry, ["status": "\(status.code)"]))
            tracked[id]?.warnedUnknownStatus = true
        }
        let timing = RemoteTiming(
            startTime: detail.startTime.map { Date(timeIntervalSince1970: Double($0) / 1000) }, durationMS: detail.duration
        )
        if let terminal = RemoteStatusMapping.terminalState(for: status) {
            await finish(entry, as: terminal, status: remote, reason: "ModelArts reports \(status.displayName) (\(status.code))", timing: timing)
            return
        }
        do {
            if changed {
                try await store.recordRemoteStatus(id: id, status: remote, timing: timing, at: now)
                logger.info("version status changed", metadata: metadata(entry, ["status": "\(status)"]))
                tracked[id]?.submission.view.remoteStatus = remote
            }
        } catch {
            logger.error("could not store a status change: \(error)", metadata: metadata(entry))
        }
        reschedule(id, changed: changed)
    }

    private func finish(
        _ entry: Tracked, as state: SubmissionState, status: RemoteStatus?, reason: String, timing: RemoteTiming? = nil
    ) async {
        let id = entry.submission.id
        do {
            if let status, entry.submission.view.remoteStatus?.code != status.code {
                try await store.recordRemoteStatus(id: id, status: status, timing: timing)
            }
            try await store.transition(
                id: id, from: .tracking, to: state,
                changes: SubmissionChanges(remoteStatus: status, timing: timing), reason: reason
            )
            logger.info("version reached a terminal status", metadata: metadata(entry, ["state": "\(state.rawValue)"]))
            tracked[id] = nil
        } catch {
            logger.error("could not store the end of tracking: \(error)", metadata: metadata(entry))
            reschedule(id, changed: false)
        }
    }

    private func reschedule(_ id: String, changed: Bool) {
        guard var entry = tracked[id] else { return }
        let delay = entry.schedule.polled(changed: changed, jitter: Double.random(in: -1...1))
        entry.nextPollAt = .now + delay
        tracked[id] = entry
    }

    private func metadata(_ entry: Tracked, _ extra: Logger.Metadata = [:]) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "submission": "\(entry.submission.id)", "job_id": "\(entry.submission.view.jobID)",
            "version_id": "\(entry.submission.view.versionID ?? 0)",
        ]
        metadata.merge(extra) { _, new in new }
        return metadata
    }
}
