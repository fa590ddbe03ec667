import ArgumentParser
import Foundation
import NIOHTTP1
import TrainQAPI

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the daemon's health and queue.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await withDaemon(options) { client in
            let health = try client.decode(HealthView.self, from: try await client.send(.GET, "/v1/health"), accepting: [200, 503])
            if options.json {
                try printJSON(health)
                return health.status == "ok" ? 0 : 1
            }
            print("trainqd \(health.version): \(health.status)\(health.simulated ? " (SIMULATED ModelArts)" : "")")
            print("  database:   \(health.database)")
            print("  started:    \(APICoding.formatTimestamp(health.startedAt))")
            print("  last ModelArts success: \(health.lastModelArtsSuccessAt.map(APICoding.formatTimestamp) ?? "none yet")")
            if let rate = health.modelArtsRate {
                let slowed = rate.isReduced ? " (slowed down: ModelArts is throttling)" : ""
                print("  ModelArts rate: \(Self.perSecond(rate.current)) of \(Self.perSecond(rate.configured))\(slowed)")
            }
            if let storage = health.storage {
                let oldest = storage.oldestKeptAt.map(APICoding.formatTimestamp) ?? "nothing stored"
                print("  database size: \(Self.size(storage.bytes)), oldest kept: \(oldest)")
            }
            let rows = SubmissionState.allCases.map { [$0.rawValue, String(health.states[$0.rawValue] ?? 0)] }
            print(Table.render([["STATE", "COUNT"]] + rows))
            // Older daemons send no activity: the summary is extra, never a failure.
            if let activity = health.activity {
                print("")
                for line in ActivitySummary(activity: activity, oldestDueSeconds: health.oldestDueSeconds).lines { print(line) }
            }
            return health.status == "ok" ? 0 : 1
        }
    }

    /// "12.3 MiB", for the database line.
    static func size(_ bytes: Int64) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) bytes" : String(format: "%.1f", value) + " " + units[unit]
    }

    /// "4.2/s", for the rate line.
    static func perSecond(_ value: Double) -> String {
        String(format: "%.1f/s", value)
    }
}
