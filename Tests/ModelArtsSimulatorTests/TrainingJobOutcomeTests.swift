import JSONTree
import NIOHTTP1
import Testing
@testable import ModelArtsSimulator

/// Scripted outcomes, as a tracker polling show every second sees them.
@Suite struct TrainingJobOutcomeTests {
    static let outcomes: [String: TrainingJobOutcome] = [
        "fails": .failed, "broken": .abnormal, "preempted": .restarted, "flaky": .flap, "stuck": .pendingForever,
        // The longest matching key wins.
        "flaky-but-fails": .failed,
    ]

    /// The distinct phases seen polling every `stepMilliseconds` for `seconds`.
    static func poll(_ http: TestHTTP, _ clock: ClockBox, id: String, seconds: Int, stepMilliseconds: Int64 = 1_000) async throws -> [String] {
        var phases: [String] = []
        for _ in 0..<(Int64(seconds) * 1_000 / stepMilliseconds) {
            let phase = try await http.showJob(id).phase ?? "?"
            if phases.last != phase { phases.append(phase) }
            clock.advance(milliseconds: stepMilliseconds)
        }
        return phases
    }

    @Test(arguments: [
        ("nightly", ["Creating", "Pending", "Running", "Completed"]),
        ("nightly-fails", ["Creating", "Pending", "Running", "Failed"]),
        ("broken-job", ["Creating", "Abnormal"]),
        ("preempted-job", ["Creating", "Pending", "Running", "Pending", "Running", "Completed"]),
        ("flaky-job", ["Creating", "Pending", "Running", "Failed", "Running", "Completed"]),
        ("flaky-but-fails-job", ["Creating", "Pending", "Running", "Failed"]),
        ("stuck-job", ["Creating", "Pending"]),
    ])
    func aScriptedOutcomeFollowsItsPhases(name: String, expected: [String]) async throws {
        let clock = ClockBox()
        try await ModelArtsSimulator.withRunning(.init(scenario: .init(jobOutcomes: Self.outcomes)), clock: clock.read) { _, port in
            let http = TestHTTP(port: port)
            let created = try await http.createJob(name: name)
            #expect(created.status == 201)
            #expect(created.phase == "Creating")
            let id = try #require(created.jobID)
            #expect(try await Self.poll(http, clock, id: id, seconds: 300) == expected)
        }
    }

    @Test func theFlapShowsFailedToExactlyOneReadEvenBetweenSearchAndShow() async throws {
        let clock = ClockBox()
        try await ModelArtsSimulator.withRunning(.init(scenario: .init(jobOutcomes: ["flaky": .flap])), clock: clock.read) { _, port in
            let http = TestHTTP(port: port)
            let id = try #require(try await http.createJob(name: "flaky").jobID)
            clock.advance(milliseconds: 61_000)
            #expect(try await http.ledger()["training_jobs"]?.arrayValue?.first?["phase"] == .string("Running"))
            let searched = try await http.searchJobs(#"{"filters":[{"key":"name","operator":"like","value":["flaky"]}]}"#)
            #expect(searched.json?["items"]?.arrayValue?.first?["status"]?["phase"] == .string("Failed"))
            #expect(try await http.showJob(id).phase == "Running")
            clock.advance(milliseconds: 44_999)
            #expect(try await http.showJob(id).phase == "Running")
            clock.advance(milliseconds: 1)
            #expect(try await http.showJob(id).phase == "Completed")
        }
    }

    @Test func theControlRouteScriptsAJobThatHasNotEnded() async throws {
        let clock = ClockBox()
        try await ModelArtsSimulator.withRunning(.init(), clock: clock.read) { _, port in
            let http = TestHTTP(port: port)
            let id = try #require(try await http.createJob(name: "later").jobID)
            let scripted = try await http.send(.POST, "/_sim/training-jobs/\(id)/outcome", body: #"{"outcome":"failed"}"#)
            #expect(scripted.status == 200)
            #expect(scripted.json?["outcome"] == .string("failed"))
            clock.advance(milliseconds: 200_000)
            #expect(try await http.showJob(id).phase == "Failed")

            let ended = try await http.send(.POST, "/_sim/training-jobs/\(id)/outcome", body: #"{"outcome":"completed"}"#)
            #expect(ended.status == 409)
            let unknown = try await http.send(.POST, "/_sim/training-jobs/nope/outcome", body: #"{"outcome":"completed"}"#)
            #expect(unknown.status == 404)
            let bad = try await http.send(.POST, "/_sim/training-jobs/\(id)/outcome", body: #"{"outcome":"exploded"}"#)
            #expect(bad.status == 400)
            #expect(bad.json?["error"]?.stringValue?.hasPrefix("outcome") == true)
            let extra = try await http.send(.POST, "/_sim/training-jobs/\(id)/outcome", body: #"{"outcome":"failed","when":1}"#)
            #expect(extra.status == 400)
        }
    }
}
