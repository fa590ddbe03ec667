import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on a file next to the database, held for the daemon's whole life. A second
/// `trainqd` on the same database fails to take it and refuses to start, leaving the first untouched
/// (Hummingbird would otherwise silently unlink and steal the first one's socket).
public final class InstanceLock: Sendable {
    public let path: String
    private let descriptor: Int32

    public struct Refused: Error, CustomStringConvertible {
        public var path: String
        public var holder: String?
        public var reason: String

        public var description: String {
            "another trainqd\(holder.map { " (pid \($0))" } ?? "") already uses this database: \(reason) (lock file \(path))"
        }
    }

    public init(databasePath: String) throws {
        let path = databasePath + ".lock"
        self.path = path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Refused(path: path, holder: nil, reason: "cannot open the lock file: \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw Refused(path: path, holder: holder?.isEmpty == false ? holder : nil, reason: "the lock is held")
        }
        // Record who holds it, for the message a second daemon prints.
        ftruncate(descriptor, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(descriptor, $0, strlen($0)) }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }
}
