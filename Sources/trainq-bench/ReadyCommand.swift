import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Starts trainqd with `NOTIFY_SOCKET` pointing at a datagram socket of ours and times `READY=1`; then
/// reads its resident memory once it has settled, and stops it with SIGTERM.
struct ReadyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ready", abstract: "Time trainqd's start-up to READY=1 and read its RSS.")

    @Option(help: "The trainqd executable.") var trainqd: String
    @Option(help: "How long to let it settle before reading RSS, in seconds.") var settle = 2.0
    @Argument(parsing: .captureForPassthrough, help: "trainqd's arguments.") var arguments: [String] = []

    func run() throws {
        let notifyPath = NSTemporaryDirectory() + "trainq-bench-notify-\(getpid()).sock"
        unlink(notifyPath)
        let listener = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard listener >= 0 else { throw BenchError("socket failed") }
        defer { close(listener); unlink(notifyPath) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in notifyPath.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw BenchError("bind \(notifyPath): \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: trainqd)
        process.arguments = arguments.first == "--" ? Array(arguments.dropFirst()) : arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = notifyPath
        process.environment = environment
        process.standardError = FileHandle.nullDevice
        let started = DispatchTime.now().uptimeNanoseconds
        try process.run()
        var buffer = [UInt8](repeating: 0, count: 4096)
        var ready = false
        while !ready {
            let count = recv(listener, &buffer, buffer.count, 0)
            guard count > 0 else {
                process.terminate()
                throw BenchError("no READY=1 from trainqd within 120 s")
            }
            ready = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\n").contains("READY=1")
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        usleep(UInt32(settle * 1_000_000))
        let rss = Self.residentKilobytes(of: process.processIdentifier)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        print(String(format: "ready_seconds=%.3f rss_kb=%d exit=%d", seconds, rss, process.terminationStatus))
    }

    static func residentKilobytes(of pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return -1 }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? -1
    }
}
