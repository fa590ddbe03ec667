import JSONTree
import NIOHTTP1
import Testing
@testable import ModelArtsSimulator

@Suite struct StatusProgressionTests {
    /// Polls a version until it ends (bounded), returning the distinct statuses seen in order.
    static func follow(_ http: TestHTTP, version: Int64, pollMilliseconds: Int = 10, maxPolls: Int = 1_000) async throws -> (statuses: [Int64], last: JSONValue?) {
        var statuses: [Int64] = []
        var last: JSONValue?
        for _ in 0..<maxPolls {
            let reply = try await http.show(version: version)
            last = reply.json
            guard let status = reply.json?["status"]?.int64Value else { break }
            if statuses.last != status { statuses.append(status) }
            if [3, 5, 10, 11, 12, 13, 14].contains(status) { break }
            try await Task.sleep(for: .milliseconds(pollMilliseconds))
        }
        return (statuses, last)
    }

    static func isOrderedSubsequence(_ seen: [Int64], of path: [Int64]) -> Bool {
        var remaining = path[...]
        for status in seen {
            guard let index = remaining.firstIndex(of: status) else { return false }
            remaining = remaining[remaining.index(after: index)...]
        }
        return true
    }

    @Test func aVersionMovesFromInitToCompletedAndItsDurationFreezes() async throws {
        try await ModelArtsSimulator.withRunning(.init(timeScale: 300)) { _, port in
            let http = TestHTTP(port: port)
            #expect(try await http.create().json?["status"] == .integer(1))
            let (statuses, last) = try await Self.follow(http, version: 21)
            #expect(statuses.last == 10)
            #expect(Self.isOrderedSubsequence(statuses, of: [1, 4, 7, 8, 10]), "\(statuses)")
            let startTime = try #require(last?["start_time"]?.int64Value)
            #expect(startTime >= (last?["create_time"]?.int64Value ?? .max))
            let duration = last?["duration"]?.int64Value
            #expect(duration ?? 0 > 0)
            try await Task.sleep(for: .milliseconds(50))
            #expect(try await http.show(version: 21).json?["duration"]?.int64Value == duration)
            let ledger = try await http.ledger()
            #expect(ledger["versions"]?.arrayValue?.first?["status"] == .integer(10))
        }
    }

    @Test func aScriptedOutcomeEndsTheVersionThere() async throws {
        try await ModelArtsSimulator.withRunning(.init(timeScale: 300)) { _, port in
            let http = TestHTTP(port: port)
            let scripted = try await http.send(.POST, "/_sim/versions/21/outcome", body: #"{"status": 11}"#)
            #expect(scripted.status == 200)
            _ = try await http.create()
            let (statuses, _) = try await Self.follow(http, version: 21)
            #expect(statuses.last == 11)
            #expect(Self.isOrderedSubsequence(statuses, of: [1, 4, 7, 8, 11]), "\(statuses)")

            let notTerminal = try await http.send(.POST, "/_sim/versions/22/outcome", body: #"{"status": 8}"#)
            #expect(notTerminal.status == 400)
            let ended = try await http.send(.POST, "/_sim/versions/21/outcome", body: #"{"status": 10}"#)
            #expect(ended.status == 409)
        }
    }

    @Test func scenarioOutcomesApplyToLaterVersions() async throws {
        try await ModelArtsSimulator.withRunning(.init(timeScale: 300, scenario: .init(outcomes: [22: 3]))) { _, port in
            let http = TestHTTP(port: port)
            _ = try await http.create()
            _ = try await http.create(preVersionID: 21)
            #expect(try await Self.follow(http, version: 21).statuses.last == 10)
            let (statuses, _) = try await Self.follow(http, version: 22)
            #expect(statuses.last == 3)
            #expect(Self.isOrderedSubsequence(statuses, of: [1, 2, 3]), "\(statuses)")
        }
    }

    @Test func stopWhileRunningGoesToKillingThenKilled() async throws {
        let clock = ClockBox()
        try await ModelArtsSimulator.withRunning(.init(timeScale: 1), clock: clock.read) { _, port in
            let http = TestHTTP(port: port)
            let created = clock.read()
            _ = try await http.create()
            clock.set(created + 60_000)
            let running = try await http.show(version: 21)
            #expect(running.json?["status"] == .integer(8))
            #expect(running.json?["start_time"] == .integer(created + 30_000))
            #expect(running.json?["duration"] == .integer(30_000))

            #expect(try await http.send(.POST, TestHTTP.versionsPath() + "/21/stop").status == 200)
            #expect(try await http.show(version: 21).json?["status"] == .integer(9))
            clock.advance(milliseconds: 4_999)
            #expect(try await http.show(version: 21).json?["status"] == .integer(9))
            clock.advance(milliseconds: 1)
            let killed = try await http.show(version: 21)
            #expect(killed.json?["status"] == .integer(12))
            #expect(killed.json?["duration"] == .integer(35_000))
            clock.advance(milliseconds: 60_000)
            #expect(try await http.show(version: 21).json?["duration"] == .integer(35_000))

            // Stopping again is harmless; stopping a version that completed is refused.
            #expect(try await http.send(.POST, TestHTTP.versionsPath() + "/21/stop").status == 200)
            let refused = try await http.send(.POST, TestHTTP.versionsPath() + "/20/stop")
            #expect(refused.status == 409)
            #expect(refused.json?["is_success"] == .bool(false))
        }
    }
}
