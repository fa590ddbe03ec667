import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The receiving end of `sd_notify`, as systemd has it: a datagram Unix socket a daemon finds in
/// `$NOTIFY_SOCKET`. Each datagram is one message of `KEY=value` lines.
final class SystemdNotifyListener: @unchecked Sendable {
    let path: String
    private let descriptor: Int32
    private let lock = NSLock()
    private var received: [String] = []

    init(path: String) throws {
        self.path = path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { throw HarnessError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path.utf8)
            buffer[path.utf8.count] = 0
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else {
            close(descriptor)
            throw HarnessError("bind \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(descriptor) }

    /// Every message received so far, oldest first.
    var messages: [String] {
        drain()
        return lock.withLock { received }
    }

    /// Every `KEY=value` line received so far, oldest first.
    var lines: [String] { messages.flatMap { $0.split(separator: "\n").map(String.init) } }

    /// Waits until a line satisfies `predicate`, at most `timeout`; returns whether one did.
    func wait(timeout: Duration = .seconds(30), for predicate: (String) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if lines.contains(where: predicate) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return lines.contains(where: predicate)
    }

    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            let message = String(decoding: buffer.prefix(count), as: UTF8.self)
            lock.withLock { received.append(message) }
        }
    }
}
