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
        /// The longest interval for a v2 job that stays `Pending` (queued for resources).
        public var maxQueuedInterval: Duration

        public init(
            minInterval: Duration = .seconds(10), maxInterval: Duration = .seconds(120), pageSize: Int = 1000,
            concurrentCalls: Int = 8, maxQueuedInterval: Duration = .seconds(600)
        ) {
            self.minInterval = minInterval
            self.maxInterval = maxInterval
            self.maxQueuedInterval = maxQueuedInterval
            self.pageSize = min(1000, max(1, pageSize))
            self.concurrentCalls = max(1, concurrentCalls)
        }
    }

    private enum State {
        case idle
        case running
        case finished
    }

    /// Catching up reads at least this many pages of events before a full reload is preferred.
    static let minEventPagesPerCatchUp = 20
    /// Rows read per page when loading every `tracking` submission.
    static let loadPageSize = 500

    let store: any SubmissionStorage
    let client: ModelArtsClient
    let executor: DecisionExecutor
    let configuration: Configuration
    let random: RandomSource
    let logger: Logger
    private var state = State.idle
    private let scheduleTemplate: TrackingSchedule
    var tracked = TrackedSet()
    /// Set when the jobs this daemon works on changed (`reloadSoon`): the next round reloads.
    private var reloadRequested = false
    /// Events up to this sequence are reflected in `tracked`.
    private var seenSequence: Int64 = 0
    /// The shortest interval between polls of a version while the gateway throttles; nil when it does not.
    var shortestInterval: Duration?
    /// The share of a throttled rate that tracking may use; the rest is for creates.
    static let throttledShare = 0.5
    /// Versions to poll at the next round (the executor's `pollSoon` action); a post rings the loop, so it
    /// does not sleep through a request to look now.
    private let pollRequests: ServiceInbox<String>

    init(
        store: any SubmissionStorage, client: ModelArtsClient, executor: DecisionExecutor, configuration: Configuration,
        random: RandomSource, pollRequests: ServiceInbox<String>, logger: Logger
    ) {
        self.pollRequests = pollRequests
        self.store = store
        self.client = client
        self.executor = executor
        self.configuration = configuration
        self.scheduleTemplate = TrackingSchedule(
            minInterval: configuration.minInterval, maxInterval: configuration.maxInterval,
            maxQueuedInterval: configuration.maxQueuedInterval)
        self.random = random
        self.logger = logger
    }

    /// How many versions are tracked now.
    public var trackedCount: Int { countBeforeReload ?? tracked.count }
    /// While a reload moves the versions into a new set, how many the old one had.
    private var countBeforeReload: Int?

    public func run() async throws {
        guard case .idle = state else { return }
        state = .running
        defer { state = .finished }
        var needsFullLoad = true
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                if needsFullLoad || reloadRequested {
                    reloadRequested = false
                    try await loadAll()
                    needsFullLoad = false
                } else {
                    needsFullLoad = try await catchUpWithEvents()
                    if needsFullLoad { continue }
                }
                // A stop does not wait for shows and lists that hang at ModelArts: they are cancelled, write
                // nothing, and are made again after the restart.
                takePollRequests()
                await cancelWhenGracefulShutdown { await self.pollDueVersions() }
            } catch {
                logger.error("tracking round failed; trying again", metadata: ["error": "\(error)"])
                needsFullLoad = true
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
                continue
            }
            await waitForWork()
        }
    }

    /// The jobs this daemon works on changed (a lease taken over or lost): reload what to track at the next
    /// round, which the empty poll request starts at once (it names no tracked version).
    public func reloadSoon() {
        reloadRequested = true
        pollRequests.post("")
    }

    /// Poll this submission's version at the next round (after a stop request, for example).
    public nonisolated func pollSoon(_ id: String) {
        pollRequests.post(id)
    }

    /// Makes the versions asked for due now. Taken after the catch-up with events, so a version that just
    /// entered `tracking` is polled too; an id that is not tracked has nothing to poll.
    private func takePollRequests() {
        for id in pollRequests.takeAll() {
            guard var version = tracked[SubmissionKey(id)] else { continue }
            version.nextPollAt = .now
            version.schedule.reset()
            tracked[version.submissionID] = version
        }
    }

    // MARK: - Knowing what to track

    /// Reads every `tracking` submission page by page, keeping the schedules of versions already known.
    ///
    /// A known version moves from the old set to the new one as its row is read, so a reload never holds
    /// two copies of the set: at 100,000 versions, the copy was the daemon's peak RSS (heaptrack).
    private func loadAll() async throws {
        let sequence = try await store.lastSequence()
        var previous = TrackedSet()
        swap(&previous, &tracked)
        countBeforeReload = previous.count
        defer { countBeforeReload = nil }
        var next = TrackedSet()
        var cursor: String?
        do {
            repeat {
                let page = try await store.list(SubmissionQuery(state: .tracking, limit: Self.loadPageSize, cursor: cursor))
                for view in page.submissions where store.worksOn(JobKey(projectID: view.projectID, jobID: view.jobID)) {
                    let key = SubmissionKey(view.id)
                    if let known = previous.remove(key) {
                        next.insert(known)
                    } else if !next.contains(key), let version = TrackedVersion(view, schedule: newSchedule(), firstPollAt: .now) {
                        next.insert(version)
                    }
                }
                cursor = page.nextCursor
            } while cursor != nil
        } catch {
            // A reload that fails keeps every version it knew; the next one starts from them.
            previous.forEachVersion { next.insert($0) }
            tracked = next
            throw error
        }
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
        // A reload reads every tracked row and holds two copies of the tracked set meanwhile, so catching
        // up is cheaper until the events outnumber the rows: at 100,000 tracked versions a burst of
        // intake made the tracker reload every half minute, each time 40 MB at its peak.
        let pages = max(Self.minEventPagesPerCatchUp, tracked.count / SubmissionStore.maximumEventLimit + 1)
        for _ in 0..<pages {
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
            let key = SubmissionKey(id)
            if state != .tracking {
                tracked.remove(key)
            } else if !tracked.contains(key), let view = try await store.stored(id: id)?.view,
                store.worksOn(JobKey(projectID: view.projectID, jobID: view.jobID)),
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
        let wait = tracked.nextPollAt().map { $0 - .now } ?? .seconds(60)
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
        let pollSignal = self.pollRequests.signal
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await store.waitForEvents(after: after, timeout: timeout) }
            group.addTask {
                await pollSignal.wait(timeout: nil)
                return !Task.isCancelled
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    // MARK: - Scheduling

    /// A fresh schedule: a copy of one made at start, so all share its limits.
    func newSchedule() -> TrackingSchedule {
        scheduleTemplate
    }

    /// A version that just entered tracking: its status came with the create (or the reconciliation
    /// that found it), so the first poll can wait one interval; without a status, poll at once.
    private func firstPoll(of view: SubmissionView) -> ContinuousClock.Instant {
        view.remoteStatus == nil ? .now : .now + configuration.minInterval
    }

    private var eventCoalescing: Duration {
        min(.milliseconds(100), configuration.minInterval / 4)
    }
}
