import Synchronization

/// A mailbox for a service loop: requests posted from anywhere are taken by the loop at its next turn,
/// and posting rings the loop's doorbell so it does not sleep through them.
final class ServiceInbox<Request: Sendable>: Sendable {
    /// Rung by every post.
    let signal = WakeSignal()
    private let pending = Mutex<[Request]>([])

    init() {}

    func post(_ request: Request) {
        pending.withLock { $0.append(request) }
        signal.ring()
    }

    /// Everything posted since the last call, oldest first.
    func takeAll() -> [Request] {
        pending.withLock { pending in
            let taken = pending
            pending.removeAll()
            return taken
        }
    }
}
