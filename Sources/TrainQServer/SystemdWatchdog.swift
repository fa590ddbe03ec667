import Logging
import ServiceLifecycle
import TrainQStore

/// Sends `WATCHDOG=1` at half of `WATCHDOG_USEC`, but only while the store still answers: a daemon
/// whose database thread is stuck stops sending, and systemd restarts it. Each keep-alive also refreshes
/// `STATUS=` with the queue depths.
struct SystemdWatchdog: Service {
    let store: SubmissionStore
    let notifier: SystemdNotifier
    let interval: Duration

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            if let counts = try? await store.countsByState() {
                notifier.send("WATCHDOG=1\nSTATUS=\(QueueStatus.line(counts))")
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
