import Foundation
import Synchronization

/// Many clients, each on its own thread with one keep-alive connection, sending one request at a time
/// and waiting for its acknowledgement, as a tool on a training host would.
struct LoadRun {
    struct Result {
        var acknowledged: Int
        var refused: Int
        var seconds: Double
        /// Latencies in microseconds, sorted.
        var latencies: [Double]

        var perSecond: Double { Double(acknowledged) / seconds }

        func percentile(_ fraction: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            let index = min(latencies.count - 1, Int((Double(latencies.count) * fraction).rounded(.up)) - 1)
            return latencies[max(0, index)]
        }
    }

    var socketPath: String
    var queue: QueueProtocol
    var clients: Int
    var requests: Int
    /// The body of request `n`; trainq gets a distinct `job_desc` per request, the peers the same bytes.
    var payload: @Sendable (Int) -> [UInt8]

    func run() throws -> Result {
        let next = Atomic<Int>(0)
        let collected = Mutex<(latencies: [Double], acknowledged: Int, refused: Int, failure: String?)>(([], 0, 0, nil))
        let connections = try (0..<clients).map { _ in try BlockingSocket(path: socketPath) }
        let done = DispatchGroup()
        let start = DispatchTime.now().uptimeNanoseconds
        let perClient = requests / max(1, connections.count) + 1
        for connection in connections {
            let box = UncheckedBox(connection)
            let queue = self.queue, requests = self.requests, payload = self.payload
            done.enter()
            Thread.detachNewThread {
                var latencies: [Double] = []
                var acknowledged = 0, refused = 0
                var failure: String?
                latencies.reserveCapacity(perClient)
                while true {
                    let index = next.add(1, ordering: .relaxed).oldValue
                    guard index < requests else { break }
                    let request = queue.request(payload: payload(index))
                    let began = DispatchTime.now().uptimeNanoseconds
                    do {
                        try box.value.write(request)
                        let reply = try box.value.readReply(queue.replyLength)
                        latencies.append(Double(DispatchTime.now().uptimeNanoseconds - began) / 1000)
                        if queue.isAcknowledgement(reply) { acknowledged += 1 } else { refused += 1 }
                    } catch {
                        failure = "\(error)"
                        break
                    }
                }
                collected.withLock {
                    $0.latencies += latencies
                    $0.acknowledged += acknowledged
                    $0.refused += refused
                    if let failure { $0.failure = failure }
                }
                done.leave()
            }
        }
        done.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return try collected.withLock { state in
            if let failure = state.failure { throw BenchError("a client failed: \(failure)") }
            return Result(acknowledged: state.acknowledged, refused: state.refused, seconds: seconds, latencies: state.latencies.sorted())
        }
    }
}

/// Hands a non-Sendable connection to the one thread that uses it.
final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
