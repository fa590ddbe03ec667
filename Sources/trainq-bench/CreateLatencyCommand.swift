import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// From trainqd's `202` to the create arriving at the simulator, one submission at a time on an idle
/// daemon: the simulator's ledger stamps each version with the wall-clock time the create arrived.
struct CreateLatencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create-latency", abstract: "Time from 202 to the create at the simulator.")

    @Option(help: "trainqd's Unix socket.") var socket: String
    @Option(help: "The simulator's port on 127.0.0.1.") var simulatorPort: Int
    @Option(help: "Submissions, one after the other.") var count = 100
    @Option(help: "File with the payload.") var payload: String

    func run() throws {
        guard let body = FileManager.default.contents(atPath: payload) else { throw ValidationError("cannot read \(payload)") }
        let daemon = try BlockingSocket(path: socket)
        var latencies: [Double] = []
        for _ in 0..<count {
            let (status, answer) = try daemon.http("POST", "/v1/submissions", body: Array(body))
            let acknowledgedAt = Date().timeIntervalSince1970 * 1000
            guard status == 202, let id = Self.id(in: answer) else { throw BenchError("submission answered \(status)") }
            let created = try waitForCreate(of: id)
            latencies.append(created - acknowledgedAt)
            // Idle again before the next one.
            usleep(100_000)
        }
        latencies.sort()
        func percentile(_ fraction: Double) -> Double { latencies[min(latencies.count - 1, max(0, Int((Double(latencies.count) * fraction).rounded(.up)) - 1))] }
        print(String(format: "create_latency count=%d p50_ms=%.1f p99_ms=%.1f", latencies.count, percentile(0.5), percentile(0.99)))
    }

    private func waitForCreate(of id: String) throws -> Double {
        let marker = "[trainq:\(id)]"
        for _ in 0..<10_000 {
            let simulator = try BlockingSocket(loopbackPort: simulatorPort)
            let (_, ledger) = try simulator.http("GET", "/_sim/ledger")
            if let object = try JSONSerialization.jsonObject(with: Data(ledger)) as? [String: Any],
                let versions = object["versions"] as? [[String: Any]],
                let version = versions.first(where: { ($0["job_desc"] as? String)?.contains(marker) == true }),
                let created = version["create_time"] as? NSNumber
            {
                return created.doubleValue
            }
            usleep(2_000)
        }
        throw BenchError("the create of \(id) never reached the simulator")
    }

    static func id(in body: [UInt8]) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["id"] as? String
    }
}
