import Logging
import ServiceLifecycle
import TrainQStore

/// Keeps systemd informed while trainqd runs: `WATCHDOG=1` at half of `WATCHDOG_USEC` (when systemd
/// asked for keep-alives), `STATUS=` with the queue depths whenever they change, and `STOPPING=1` the
/// moment a graceful shutdown begins. List it after the socket server: services hear the shutdown in
/// reverse order, so systemd learns of the stop before the socket closes.
///
/// A keep-alive is sent only after the store answered a query: a daemon whose database thread hangs
/// stops sending, and systemd restarts it.
struct SystemdStatusService: Service {
    let store: any SubmissionStorage
    let notifier: SystemdNotifier
    /// Half of `WATCHDOG_USEC`, or nil when systemd expects no keep-alives.
    let watchdogInterval: Duration?
    let logger: Logger

    /// How often the queue depths are looked at when there is no watchdog to set the pace.
    static let statusInterval: Duration = .seconds(5)

    func run() async throws {
        let tick = watchdogInterval ?? Self.statusInterval
        var lastStatus: String?
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            var lines: [String] = []
            do {
                let status = QueueStatus.line(try await store.countsByState())
                if watchdogInterval != nil { lines.append("WATCHDOG=1") }
                if status != lastStatus { lines.append("STATUS=\(status)") }
                lastStatus = status
            } catch {
                logger.error("the database did not answer; withholding the watchdog keep-alive", metadata: ["error": "\(error)"])
            }
            if !lines.isEmpty { notifier.send(lines.joined(separator: "\n")) }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: tick) }
        }
        notifier.stopping()
    }
}
