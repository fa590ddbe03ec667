import ArgumentParser
import Foundation

/// Durable intake: N acknowledged enqueues from C keep-alive clients.
struct IntakeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "intake", abstract: "Enqueue through one server and report rate and latency.")

    @Option(help: "The server's Unix socket.") var socket: String
    @Option(name: .customLong("queue"), help: "trainq, trainq-batch, trainq-http-floor, beanstalkd or redis.") var protocolName: String = "trainq"
    @Option(help: "Clients at once, each with one connection.") var clients = 1
    @Option(help: "Acknowledged requests in all.") var requests = 2000
    @Option(help: "File with the payload (the seed's request body as the socket API takes it).") var payload: String
    @Option(help: "With --queue trainq-batch: submissions per batch request.") var batchItems = 100

    func run() throws {
        guard let queue = QueueProtocol(rawValue: protocolName) else {
            throw ValidationError("--queue must be one of \(QueueProtocol.allCases.map(\.rawValue))")
        }
        guard let data = FileManager.default.contents(atPath: payload) else { throw ValidationError("cannot read \(payload)") }
        guard batchItems >= 1 else { throw ValidationError("--batch-items must be at least 1") }
        let items = queue == .trainqBatch ? batchItems : 1
        let bytes = queue == .trainqBatch ? QueueProtocol.batch(of: Array(data), items: items) : Array(data)
        let result = try LoadRun(socketPath: socket, queue: queue, clients: clients, requests: requests, payload: { _ in bytes }).run()
        guard result.refused == 0 else { throw BenchError("\(result.refused) requests were not acknowledged") }
        // Rates count submissions: a batch request acknowledges all of its items.
        print(String(
            format: "protocol=%@ clients=%d acknowledged=%d per_second=%.0f p50_ms=%.3f p99_ms=%.3f",
            queue.rawValue, clients, result.acknowledged * items, result.perSecond * Double(items), result.percentile(0.5) / 1000,
            result.percentile(0.99) / 1000
        ))
    }
}
