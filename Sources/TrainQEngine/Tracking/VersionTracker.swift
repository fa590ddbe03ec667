import Foundation
import Logging
import ModelArts
import ServiceLifecycle
import TrainQAPI
import TrainQStore

/// Follows every `tracking` submission's version until it reaches a terminal status (issue: tracking).
/// Polls with adaptive intervals, refreshes the versions of one job with one list call when that costs
/// no more than showing the due ones, stores every status change, and never ends tracking on an error
/// other than the version's own 404.
///
/// It learns about new `tracking` submissions from the store's events: it waits on the event sequence,
/// so a version enters tracking within moments of its create, and only the changed rows are read.
public actor VersionTracker: Service {
    public struct Configuration: Sendable {
        public var minInterval: Duration
        public var maxInterval: Duration
        /// Versions per list-versions page (1–1000).
        public var pageSize: Int
        /// Calls of one round in flight at once; the client's limiter still has the last word.
        public var concurrentCalls: Int

        public init(
            minInterval: Duration = .seconds(10), maxInterval: Duration = .seconds(120), pageSize: Int = 1000,
            concurrentCalls: Int = 8
        ) {
            self.minInterval = minInterval
            self.maxInterval = maxInterval
            self.pageSize = min(1000, max(1, pageSize))
            self.concurrentCalls = max(1, concurrentCalls)
        }
    }

    private enum State {
        case idle
        case running
        case finished
    }

    /// Catching up reads at most this many pages of events; beyond that a full reload is cheaper.
    static let maxEventPagesPerCatchUp = 20
    /// Rows read per page when loading every `tracking` submission.
    static let loadPageSize = 500

    private let store: SubmissionStore
    private let client: ModelArtsClient
    private let configuration: Configuration
    private let logger: Logger
    private var state = State.idle
    private var tracked = TrackedSet()
    /// Events up to this sequence are reflected in `tracked`.
    private var seenSequence: Int64 = 0

    public init(store: SubmissionStore, client: ModelArtsClient, configuration: Configuration, logger: Logger) {
        self.store = store
        self.client = client
        self.configuration = configuration
        self.logger = logger
    }

    /// How many versions are tracked now.
    public var trackedCount: Int { tracked.count }

    public func run() async throws {
        guard case .idle = state else { return }
        state = .running
        defer { state = .finished }
        var needsFullLoad = true
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                if needsFullLoad {
                    try await loadAll()
                    needsFullLoad = false
                } else {
                    needsFullLoad = try await catchUpWithEvents()
                    if needsFullLoad { continue }
                }
                await pollDueVersions()
            } catch {
                logger.error("tracking round failed; trying again", metadata: ["error": "\(error)"])
                needsFullLoad = true
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
                continue
            }
            await waitForWork()
        }
    }

    /// Poll this submission's version at the next round (after a stop request, for example).
    public func pollSoon(_ id: String) {
        guard var version = tracked[id] else { return }
        version.nextPollAt = .now
        version.schedule.reset()
        tracked[id] = version
        // Wake the loop: it sleeps until an event or the next due poll.
        wake?.resume()
        wake = nil
    }

    private var wake: CheckedContinuation<Void, Never>?

    // MARK: - Knowing what to track

    /// Reads every `tracking` submission page by page, keeping the schedules of versions already known.
    private func loadAll() async throws {
        let sequence = await store.lastSequence()
        var next = TrackedSet()
        var cursor: String?
        repeat {
            let page = try await store.list(SubmissionQuery(state: .tracking, limit: Self.loadPageSize, cursor: cursor))
            for view in page.submissions {
                if let known = tracked[view.id] {
                    next.insert(known)
                } else if let version = TrackedVersion(view, schedule: newSchedule(), firstPollAt: .now) {
                    next.insert(version)
                }
            }
            cursor = page.nextCursor
        } while cursor != nil
        tracked = next
        seenSequence = sequence
        logger.debug("tracking \(tracked.count) versions")
    }

    /// Applies the events since the last look: a submission that entered `tracking` is loaded, one that
    /// left it is dropped. Returns true when too much happened and a full reload is due instead.
    private func catchUpWithEvents() async throws -> Bool {
        var after = seenSequence
        var lastState: [String: SubmissionState] = [:]
        var complete = false
        for _ in 0..<Self.maxEventPagesPerCatchUp {
            let page = try await store.events(after: after, limit: SubmissionStore.maximumEventLimit)
            for event in page.events { lastState[event.submission] = event.state }
            after = page.events.last?.seq ?? after
            if page.events.count < SubmissionStore.maximumEventLimit {
                complete = true
                break
            }
        }
        guard complete else { return true }
        for (id, state) in lastState.sorted(by: { $0.key < $1.key }) {
            if state != .tracking {
                tracked.remove(id)
            } else if !tracked.contains(id), let view = try await store.stored(id: id)?.view,
                let version = TrackedVersion(view, schedule: newSchedule(), firstPollAt: firstPoll(of: view))
            {
                tracked.insert(version)
            }
        }
        seenSequence = after
        return false
    }

    /// Sleeps until the next version is due, an event is committed, `pollSoon` is called or a graceful
    /// shutdown begins, whichever comes first.
    private func waitForWork() async {
        let wait = tracked.nextPollAt.map { $0 - .now } ?? .seconds(60)
        guard wait > .zero else { return }
        let after = seenSequence
        let started = ContinuousClock.now
        let woken = await cancelWhenGracefulShutdown { await self.sleepUntilNews(after: after, timeout: wait) }
        guard !Task.isShuttingDownGracefully else { return }
        if woken {
            // Events come in bursts (a thousand submissions accepted, a round of status writes): gather
            // them, rather than waking for each one.
            try? await cancelWhenGracefulShutdown { [coalescing = eventCoalescing] in try await Task.sleep(for: coalescing) }
        } else if ContinuousClock.now - started < wait / 2 {
            // A closed store answers "no news" at once; do not spin on it.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: min(wait, .seconds(1))) }
        }
    }

    /// True when woken by an event or `pollSoon`, false when the time passed or the task was cancelled.
    private func sleepUntilNews(after: Int64, timeout: Duration) async -> Bool {
        let store = self.store
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await store.waitForEvents(after: after, timeout: timeout) }
            group.addTask { await self.waitForPollSoon() }
            let first = await group.next() ?? false
            group.cancelAll()
            endPollSoonWait()
            return first
        }
    }

    /// Parks until `pollSoon` (true) or cancellation (false).
    private func waitForPollSoon() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if Task.isCancelled {
                    continuation.resume()
                } else {
                    wake?.resume()
                    wake = continuation
                }
            }
            return !Task.isCancelled
        } onCancel: {
            Task { await self.endPollSoonWait() }
        }
    }

    private func endPollSoonWait() {
        wake?.resume()
        wake = nil
    }

    // MARK: - Polling

    /// One round: decides per job between one list and a show per due version, runs the calls with
    /// bounded concurrency, and applies each answer as it arrives.
    private func pollDueVersions() async {
        // Versions due a moment from now go along: one wake-up and one list serve them all.
        let now = ContinuousClock.now + dueTolerance
        var calls: [PollCall] = []
        for (job, dueCount) in tracked.dueCounts(at: now).sorted(by: { $0.key.jobID < $1.key.jobID }) {
            let plan = PollPlan.choose(
                dueVersions: dueCount, trackedVersions: tracked.submissions(of: job).count,
                knownVersionCount: tracked.versionCount(of: job), pageSize: configuration.pageSize)
            switch plan {
            case .list:
                calls.append(.list(job))
            case .show:
                for id in tracked.due(of: job, at: now) {
                    if let version = tracked[id] {
                        calls.append(.show(submissionID: id, job: job, versionID: version.versionID))
                    }
                }
            }
        }
        guard !calls.isEmpty else { return }
        let client = self.client
        let logger = self.logger
        let pageSize = configuration.pageSize
        let limit = configuration.concurrentCalls
        var queue = Array(calls.reversed())
        await withTaskGroup(of: PollCall.Answer.self) { group in
            var inFlight = 0
            while true {
                while inFlight < limit, let call = queue.popLast() {
                    group.addTask { await call.perform(with: client, pageSize: pageSize, logger: logger) }
                    inFlight += 1
                }
                guard let answer = await group.next() else { break }
                inFlight -= 1
                queue.insert(contentsOf: await handle(answer, roundStart: now).reversed(), at: 0)
            }
        }
    }

    /// Applies one answer; returns the show calls it makes necessary (a tracked version missing from its
    /// job's list is shown alone, which tells a vanished version apart).
    private func handle(_ answer: PollCall.Answer, roundStart: ContinuousClock.Instant) async -> [PollCall] {
        switch answer {
        case .listed(let job, let versions):
            tracked.setVersionCount(Int64(versions.count), of: job)
            var byID: [Int64: VersionDetail] = [:]
            for version in versions {
                if let id = version.versionID, byID[id] == nil { byID[id] = version }
            }
            var followUps: [PollCall] = []
            // One jitter for the whole job: its versions stay due together, so the next round again
            // costs one list rather than one wake-up (and possibly one list) per version.
            let jitter = Double.random(in: -1...1)
            for id in tracked.submissions(of: job).sorted() {
                guard let version = tracked[id] else { continue }
                if let detail = byID[version.versionID] {
                    await apply(detail, to: id, jitter: jitter)
                } else {
                    followUps.append(.show(submissionID: id, job: job, versionID: version.versionID))
                }
            }
            return followUps
        case .listFailed(let job, let error):
            let failure = PollFailure.decide(error, versionID: 0)
            report(error, failure: failure, metadata: ["job_id": "\(job.jobID)"])
            for id in tracked.due(of: job, at: roundStart) { postpone(id, after: failure) }
            return []
        case .shown(let id, let detail):
            await apply(detail, to: id)
            return []
        case .showFailed(let id, let versionID, let error):
            let failure = PollFailure.decide(error, versionID: versionID)
            if case .versionGone(let reason) = failure {
                await finish(id, as: .failed, changes: .none, reason: reason)
            } else {
                report(error, failure: failure, metadata: metadata(id))
                postpone(id, after: failure)
            }
            return []
        }
    }

    /// Stores what a poll saw: a new status (with its time and the version's timing), or the end.
    private func apply(_ detail: VersionDetail, to id: String, jitter: Double = Double.random(in: -1...1)) async {
        guard let version = tracked[id] else { return }
        let status = detail.status
        let now = Date()
        if status.category == .unknown, !version.warnedUnknownStatus {
            logger.warning(
                "version has a status trainq does not know; still tracking it",
                metadata: metadata(id, ["status": "\(status.code)"]))
            tracked[id]?.warnedUnknownStatus = true
        }
        let remote = RemoteStatusMapping.remoteStatus(status, at: now)
        let timing = RemoteStatusMapping.timing(of: detail)
        if let terminal = RemoteStatusMapping.terminalState(for: status) {
            let changes = SubmissionChanges(
                remoteStatus: remote, remoteSnapshot: RemoteStatusMapping.snapshot(of: detail), timing: timing)
            await finish(id, as: terminal, changes: changes, reason: RemoteStatusMapping.reason(for: status), at: now)
            return
        }
        let changed = version.remoteCode != status.code
        if changed {
            do {
                guard try await store.recordRemoteStatus(id: id, status: remote, timing: timing, at: now) else {
                    // Someone else moved it on (a person, a restart's recovery): no longer ours to track.
                    tracked.remove(id)
                    return
                }
                tracked[id]?.remoteCode = status.code
                logger.info("version status changed", metadata: metadata(id, ["status": "\(status)"]))
            } catch {
                logger.error("could not store a status change; will poll again", metadata: metadata(id, ["error": "\(error)"]))
                reschedule(id, changed: false, jitter: jitter)
                return
            }
        }
        reschedule(id, changed: changed, jitter: jitter)
    }

    /// Ends tracking with one transition that stores the last remote status, the snapshot and timing.
    private func finish(
        _ id: String, as state: SubmissionState, changes: SubmissionChanges, reason: String, at date: Date = Date()
    ) async {
        do {
            let view = try await store.transition(id: id, from: .tracking, to: state, changes: changes, reason: reason, at: date)
            if view != nil {
                logger.info("version reached its end", metadata: metadata(id, ["state": "\(state.rawValue)", "reason": "\(reason)"]))
            }
            tracked.remove(id)
        } catch {
            logger.error("could not store the end of tracking; will poll again", metadata: metadata(id, ["error": "\(error)"]))
            reschedule(id, changed: false)
        }
    }

    // MARK: - Scheduling

    private func newSchedule() -> TrackingSchedule {
        TrackingSchedule(minInterval: configuration.minInterval, maxInterval: configuration.maxInterval)
    }

    /// A version that just entered tracking: its status came with the create (or the reconciliation
    /// that found it), so the first poll can wait one interval; without a status, poll at once.
    private func firstPoll(of view: SubmissionView) -> ContinuousClock.Instant {
        view.remoteStatus == nil ? .now : .now + configuration.minInterval
    }

    private var eventCoalescing: Duration {
        min(.milliseconds(100), configuration.minInterval / 4)
    }

    /// How far ahead a round looks for due versions.
    private var dueTolerance: Duration {
        min(.milliseconds(250), configuration.minInterval / 10)
    }

    private func reschedule(_ id: String, changed: Bool, jitter: Double = Double.random(in: -1...1)) {
        guard var version = tracked[id] else { return }
        version.nextPollAt = .now + version.schedule.polled(changed: changed, jitter: jitter)
        tracked[id] = version
    }

    private func postpone(_ id: String, after failure: PollFailure) {
        guard var version = tracked[id] else { return }
        var floor: Duration?
        if case .retryLater(let wait, _) = failure { floor = wait }
        version.nextPollAt = .now + version.schedule.failed(floor: floor, jitter: Double.random(in: -1...1))
        tracked[id] = version
    }

    private func report(_ error: ModelArtsError, failure: PollFailure, metadata: Logger.Metadata) {
        var metadata = metadata
        metadata["error"] = "\(error)"
        if case .retryLater(_, isPermanent: true) = failure {
            logger.warning("polling failed with an error that will not heal by itself; still tracking", metadata: metadata)
        } else {
            logger.notice("polling failed; will try again", metadata: metadata)
        }
    }

    private func metadata(_ id: String, _ extra: Logger.Metadata = [:]) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["submission": "\(id)"]
        if let version = tracked[id] {
            metadata["job_id"] = "\(version.job.jobID)"
            metadata["version_id"] = "\(version.versionID)"
        }
        metadata.merge(extra) { _, new in new }
        return metadata
    }
}
