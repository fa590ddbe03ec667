/// The doorbells and the mailbox that the executor's actions reach. They are built before the executor
/// and the services (each service holds the executor), and each service is built with its own, so the
/// executor holds no optional reference to a service that might not exist yet: every action it is given
/// reaches its service.
struct EngineLinks: Sendable {
    /// The submitter's doorbell: look for due work now.
    let submitter = WakeSignal()
    /// The reconciler's doorbell: a submission entered `reconciling`.
    let reconciler = WakeSignal()
    /// Submissions whose version the tracker polls at its next round (after a stop request).
    let tracker = ServiceInbox<String>()
}
