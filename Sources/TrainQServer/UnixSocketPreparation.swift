import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// Prepares the path of the API socket before the server binds it, and fixes its owner group after.
enum UnixSocketPreparation {
    struct InUse: Error, CustomStringConvertible {
        var path: String
        var description: String { "another process is already serving \(path); refusing to take its socket" }
    }

    /// Refuses a path where something answers; removes a stale socket file left by a crash.
    static func claim(path: String) throws {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard (status.st_mode & S_IFMT) == S_IFSOCK else {
            throw ConfigurationError(key: "socket.path", problem: "'\(path)' exists and is not a socket")
        }
        if isAnswering(path: path) { throw InUse(path: path) }
        unlink(path)
    }

    static func isAnswering(path: String) -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path.utf8)
            buffer[path.utf8.count] = 0
        }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }

    private static let savedUmask = NIOLockedValueBox<mode_t?>(nil)

    /// Sets a umask that makes the socket file appear with exactly `mode`: NIO just calls `bind(2)`,
    /// which applies the process umask, so the file never exists with a wider mode. Files created
    /// meanwhile only get narrower modes. `restoreUmask()` once the server listens.
    static func setSocketUmask(mode: UInt16) {
        let previous = umask(mode_t(~mode & 0o777))
        savedUmask.withLockedValue { $0 = $0 ?? previous }
    }

    static func restoreUmask() {
        if let previous = savedUmask.withLockedValue({ saved in defer { saved = nil }; return saved }) {
            umask(previous)
        }
    }

    /// Gives the socket its configured group and mode once it exists.
    static func finish(path: String, mode: UInt16, group: String?) throws {
        if let group {
            guard let gid = UserDirectory.groupID(name: group) else {
                throw ConfigurationError(key: "socket.group", problem: "group '\(group)' does not exist on this machine")
            }
            guard chown(path, uid_t.max, gid) == 0 else {
                throw ConfigurationError(key: "socket.group", problem: "cannot give \(path) to group '\(group)': \(String(cString: strerror(errno)))")
            }
        }
        chmod(path, mode_t(mode))
    }
}
