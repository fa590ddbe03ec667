import Synchronization

/// The `host:port` forms the `Host` header may take, known once the server has bound its port and read
/// by every request after that.
final class BoundHosts: Sendable {
    private let hosts = Mutex<Set<String>>([])

    func set(_ newHosts: Set<String>) {
        hosts.withLock { $0 = newHosts }
    }

    var current: Set<String> {
        hosts.withLock { $0 }
    }
}
