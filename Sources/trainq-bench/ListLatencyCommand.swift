import ArgumentParser
import Foundation

/// `GET /v1/submissions` with filters, one request after another on one connection.
struct ListLatencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list-latency", abstract: "Time filtered list pages.")

    @Option(help: "trainqd's Unix socket.") var socket: String
    @Option(help: "The query string, e.g. state=retrying&job_id=13&limit=50.") var query: String
    @Option(help: "Requests.") var count = 200

    func run() throws {
        let daemon = try BlockingSocket(path: socket)
        var latencies: [Double] = []
        var rows = 0
        for _ in 0..<count {
            let began = DispatchTime.now().uptimeNanoseconds
            let (status, body) = try daemon.http("GET", "/v1/submissions?" + query)
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - began) / 1e6)
            guard status == 200 else { throw BenchError("list answered \(status): \(String(decoding: body, as: UTF8.self))") }
            let page = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
            rows = (page?["submissions"] as? [Any])?.count ?? 0
        }
        latencies.sort()
        func percentile(_ fraction: Double) -> Double { latencies[min(latencies.count - 1, max(0, Int((Double(latencies.count) * fraction).rounded(.up)) - 1))] }
        print(String(format: "list rows_per_page=%d p50_ms=%.2f p99_ms=%.2f", rows, percentile(0.5), percentile(0.99)))
    }
}
