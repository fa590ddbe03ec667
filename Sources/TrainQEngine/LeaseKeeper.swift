import Foundation
import Logging
import ServiceLifecycle
import TrainQStore

/// The heartbeat of a daemon that shares its database with others (DESIGN §8): every
/// `store.leaseHeartbeat` it renews this daemon's job leases and takes over the jobs of a daemon that
/// stopped beating. Work it gains is recovered as after a restart (a create that was in flight is
/// reconciled, never sent again); the tracker reloads, so each tracked run is followed by exactly the
/// daemon that holds its job. The daemons that beat share `modelarts.rate_limit` evenly. A store one
/// daemon has to itself has no heartbeat, and this does nothing.
public actor LeaseKeeper: Service {
    enum State {
        case idle
        case running
        case finished
    }

    private var state: State = .idle
    private let store: any SubmissionStorage
    private let executor: DecisionExecutor
    private let links: EngineLinks
    private let tracker: VersionTracker
    /// Tells the outgoing limiter how many daemons share the configured rate.
    private let shareRate: @Sendable (Int) async -> Void
    private let logger: Logger

    init(
        store: any SubmissionStorage, executor: DecisionExecutor, links: EngineLinks, tracker: VersionTracker,
        shareRate: @escaping @Sendable (Int) async -> Void, logger: Logger
    ) {
        self.shareRate = shareRate
        self.store = store
        self.executor = executor
        self.links = links
        self.tracker = tracker
        self.logger = logger
    }

    public func run() async throws {
        guard case .idle = state else { return }
        state = .running
        defer { state = .finished }
        guard let interval = store.leaseHeartbeat else {
            // A service that returns ends the daemon's group: with nothing to do, wait for the stop.
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            guard !Task.isShuttingDownGracefully, !Task.isCancelled else { break }
            await beat()
        }
    }

    /// One heartbeat; a failure (the database is down) is logged and the next beat tries again. A
    /// daemon that cannot beat starts no create: each create renews its job's lease first.
    func beat() async {
        let changes: LeaseChanges
        do {
            changes = try await store.maintainLeases()
        } catch {
            logger.warning("could not renew job leases", metadata: ["error": "\(error)"])
            return
        }
        await shareRate(changes.liveDaemons)
        // Every beat, not only when jobs were gained: a create whose outcome the database did not take
        // while it was down is left `submitting` too, and nothing else would ever reconcile it.
        do {
            let recovered = try await executor.recoverInterruptedAttempts()
            if recovered > 0 {
                logger.notice("interrupted creates go to reconciliation", metadata: ["count": "\(recovered)"])
                links.reconciler.ring()
            }
        } catch {
            logger.warning("could not recover interrupted creates; the next beat tries again", metadata: ["error": "\(error)"])
        }
        guard !changes.gained.isEmpty || !changes.lost.isEmpty else { return }
        if !changes.gained.isEmpty {
            links.reconciler.ring()
            links.submitter.ring()
        }
        await tracker.reloadSoon()
    }
}
