import Synchronization

/// The services the executor's actions reach. They are built after the executor (each holds it), so
/// they are attached here once the engine has them all.
final class EngineLinks: Sendable {
    private struct Services {
        var submitter: Submitter?
        var reconciler: Reconciler?
        var tracker: VersionTracker?
    }

    private let services = Mutex(Services())

    func attach(submitter: Submitter, reconciler: Reconciler, tracker: VersionTracker) {
        services.withLock { $0 = Services(submitter: submitter, reconciler: reconciler, tracker: tracker) }
    }

    var submitter: Submitter? { services.withLock { $0.submitter } }
    var reconciler: Reconciler? { services.withLock { $0.reconciler } }
    var tracker: VersionTracker? { services.withLock { $0.tracker } }
}
