import Foundation
import ModelArtsSimulator
import Testing
import TrainQAPI
import TrainQStore

@testable import TrainQEngine

/// A deep queue behind a gateway limit far below trainqd's own: it waits its turn instead of failing
/// (the simulator throttles per caller with 429 APIGW.0308 and states its limit, as the real gateway does).
@Suite struct ThrottlingTests {
    static let ended: Set<SubmissionState> = [.succeeded, .failed, .stopped, .rejected, .exhausted, .canceled, .needsAttention]

    @Test func threeHundredSubmissionsBehindFiveCallsASecondAllSucceed() async throws {
        // trainqd may make 100 calls a second; the gateway allows 5.
        try await EngineHarness.with(
            simulator: .init(timeScale: 60, rateLimit: 5), configuration: EngineHarness.fastConfiguration(concurrency: 8),
            clientRate: 100, clientBurst: 20
        ) { harness in
            let engine = harness.makeTrackingEngine(minInterval: .milliseconds(500), maxInterval: .seconds(2))
            try await harness.runningTracked(engine) {
                var ids: [String] = []
                for index in 0..<300 {
                    ids.append(try await harness.submit(jobID: Int64(100 + index % 30)))
                }
                engine.submissionAccepted()
                try await Task.sleep(for: .seconds(10))
                let early = await harness.simulator.ledger().requests
                let views = try await harness.waitForAll(ids, in: Self.ended, timeout: .seconds(300))
                let late = await harness.simulator.ledger().requests
                let states = Dictionary(grouping: views, by: \.state).mapValues(\.count)
                #expect(states == [.succeeded: 300], "\(states)")
                let calls = (late.create + late.show + late.list) - (early.create + early.show + early.list)
                let throttled = late.throttled - early.throttled
                #expect(calls > 0)
                #expect(Double(throttled) < 0.05 * Double(calls), "\(throttled) of \(calls) calls throttled after the first 10 s")
                #expect(await harness.ledgerVersionCount() == 300)
            }
        }
    }

    /// Under the same limit, tracking takes at most half of the rate, and every running version is still
    /// read at least once per stretched interval (one list per job every jobs ÷ (rate × ½) seconds).
    @Test func trackingKeepsEveryVersionFreshWithinItsStretchedInterval() async throws {
        let jobs = 30
        let gatewayRate = 5.0
        // Versions run for two minutes at time scale 1: all of them are live for the whole test.
        try await EngineHarness.with(
            simulator: .init(timeScale: 1, rateLimit: Int(gatewayRate)),
            configuration: EngineHarness.fastConfiguration(concurrency: 8), clientRate: 100, clientBurst: 20
        ) { harness in
            let engine = harness.makeTrackingEngine(minInterval: .milliseconds(500), maxInterval: .seconds(2))
            try await harness.runningTracked(engine) {
                var ids: [String] = []
                for index in 0..<(2 * jobs) { ids.append(try await harness.submit(jobID: Int64(400 + index % jobs))) }
                engine.submissionAccepted()
                _ = try await harness.waitForAll(ids, in: [.tracking], timeout: .seconds(120))
                let stretched = Double(jobs) / (gatewayRate * 0.5)
                // Jitter on the interval, the 2 s cap on top, and a round's own queueing behind the limit.
                let bound = stretched * 1.5 + 2
                let early = await harness.simulator.ledger().requests
                var worst = 0.0
                for _ in 0..<25 {
                    try await Task.sleep(for: .seconds(1))
                    let ledger = await harness.simulator.ledger()
                    let now = Date().timeIntervalSince1970 * 1000
                    // Unread since it was created counts from its creation.
                    for version in ledger.versions {
                        worst = max(worst, (now - Double(version.lastReadAt ?? version.createTime)) / 1000)
                    }
                }
                let late = await harness.simulator.ledger().requests
                #expect(worst <= bound, "a version went \(worst) s unread; the stretched interval is \(stretched) s")
                let calls = (late.show + late.list) - (early.show + early.list)
                #expect(calls > 0)
                #expect(Double(late.throttled - early.throttled) < 0.05 * Double(calls + late.throttled - early.throttled))
            }
        }
    }

    @Test func aBusyJobDoesNotHoldBackAQuietOne() async throws {
        try await EngineHarness.with(
            simulator: .init(timeScale: 60, rateLimit: 5), configuration: EngineHarness.fastConfiguration(concurrency: 4),
            clientRate: 100, clientBurst: 20
        ) { harness in
            let engine = harness.makeEngine()
            try await harness.running(engine) { engine in
                var busy: [String] = []
                for _ in 0..<40 { busy.append(try await harness.submit(jobID: 201)) }
                engine.submissionAccepted()
                try await Task.sleep(for: .milliseconds(500))
                let quiet = try await harness.submit(jobID: 202)
                engine.submissionAccepted()
                try await harness.waitFor(quiet, in: [.tracking, .succeeded], timeout: .seconds(30))
                // One create per job at a time, oldest first across jobs: the quiet job's one went long
                // before the busy job's backlog drained.
                var waiting = 0
                for id in busy where try await harness.store.submission(id: id)?.versionID == nil { waiting += 1 }
                #expect(waiting > 20, "only \(waiting) of the busy job's 40 were still waiting")
            }
        }
    }
}

extension EngineHarness {
    /// Versions the simulator created, over every job.
    func ledgerVersionCount() async -> Int {
        await simulator.ledger().versions.count
    }
}
