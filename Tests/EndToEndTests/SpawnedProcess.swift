import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn` and reaped with `waitpid(WNOHANG)`, used for every child
/// of the end-to-end tests, and in particular for children that
/// `exec` another program while they run (`systemd-socket-activate`, `setpriv`, `sh -c 'exec ...'`, the
/// hardening probe). Foundation's `Process` takes the close-on-exec of its watch socket for the child's
/// exit and blocks its one monitoring thread in `waitpid` until the child really ends, which stalls
/// every other `Process` in the test run meanwhile. Output goes to files, as with `ChildProcess`.
final class SpawnedProcess: @unchecked Sendable {
    let pid: pid_t
    let stdoutPath: String
    let stderrPath: String
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// `descriptor`, when given, becomes the child's fd 3 (as systemd passes a listening socket).
    init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: TestDirectory, name: String,
        passing descriptor: Int32? = nil
    ) throws {
        stdoutPath = directory.file("\(name).out")
        stderrPath = directory.file("\(name).err")
        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TRAINQ_") }
        merged.merge(environment) { _, new in new }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let descriptor { posix_spawn_file_actions_adddup2(&actions, descriptor, 3) }

        // The child starts with default signal handling and nothing blocked, whatever the test runner did.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw HarnessError("posix_spawn \(executable): \(String(cString: strerror(result)))") }
        self.pid = pid
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Reaps the child if it ended; the exit code (or 128 + signal) once it has.
    private func poll() -> Int32? {
        lock.withLock {
            if let exitStatus { return exitStatus }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
            let signal = status & 0x7f
            exitStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal
            return exitStatus
        }
    }

    var isRunning: Bool { poll() == nil }

    /// The exit code (or 128 + signal) once the child has ended; -1 while it runs.
    var terminationStatus: Int32 { poll() ?? -1 }

    func signal(_ number: Int32) {
        if isRunning { kill(pid, number) }
    }

    /// Waits for the process to end, at most `timeout`; kills it when the time is up.
    @discardableResult
    func wait(timeout: Duration = .seconds(30)) async -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let code = poll() { return code }
            try? await Task.sleep(for: .milliseconds(20))
        }
        kill(pid, SIGKILL)
        while poll() == nil { usleep(1000) }
        return poll() ?? -1
    }

    deinit {
        if poll() == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }
}
