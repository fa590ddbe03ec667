import Foundation
import ModelArtsSimulator
import Testing
import TrainQAPI
import TrainQStore

@testable import TrainQEngine

/// The submitter against the real simulator over loopback: one fault kind per test (DESIGN §7).
@Suite struct SubmitterTests {
    @Test func aSubmissionIsCreatedOnceWithItsMarker() async throws {
        try await EngineHarness.with { harness in
            try await harness.running(harness.makeEngine()) { engine in
                let id = try await harness.submit()
                engine.submissionAccepted()
                let view = try await harness.waitFor(id, in: [.tracking, .succeeded])
                let ledger = await harness.ledgerVersions()
                #expect(ledger.count == 1)
                #expect(ledger.first?.jobDesc == "This is a ModelArts job [trainq:\(id)]")
                #expect(view.versionID == ledger.first?.versionID)
                #expect(view.versionName == ledger.first?.versionName)
                #expect(view.attempts.map(\.outcome) == ["created"])
                #expect(view.remoteStatus != nil)
            }
        }
    }

    @Test func transientErrorsAreRetriedWithBackoff() async throws {
        let faults = [FaultRule(target: .create, kind: .error, status: 503, errorCode: "ModelArts.4700", count: 2)]
        try await EngineHarness.with(simulator: .init(timeScale: 60, scenario: .init(faults: faults))) { harness in
            try await harness.running(harness.makeEngine()) { engine in
                let id = try await harness.submit()
                engine.submissionAccepted()
                let view = try await harness.waitFor(id, in: [.tracking, .succeeded])
                #expect(view.attempts.map(\.outcome) == ["transient", "transient", "created"])
                #expect(view.attempts.prefix(2).allSatisfy { $0.httpStatus == 503 && $0.errorCode == "ModelArts.4700" })
                // Full jitter under the transient ceilings: 20 ms after the first, 40 ms after the second.
                #expect(view.attempts[0].delayMS.map { (0...20).contains($0) } == true)
                #expect(view.attempts[1].delayMS.map { (0...40).contains($0) } == true)
                #expect(await harness.ledgerVersions().count == 1)
            }
        }
    }

    @Test func aPermanentErrorRejectsAfterOneAttempt() async throws {
        let faults = [FaultRule(target: .create, kind: .error, status: 400, errorCode: "ModelArts.0104")]
        try await EngineHarness.with(simulator: .init(timeScale: 60, scenario: .init(faults: faults))) { harness in
            try await harness.running(harness.makeEngine()) { engine in
                let id = try await harness.submit()
                engine.submissionAccepted()
                let view = try await harness.waitFor(id, in: [.rejected])
                #expect(view.attempts.count == 1)
                #expect(view.attempts.first?.outcome == "permanent")
                #expect(view.attempts.first?.errorCode == "ModelArts.0104")
                #expect(view.reason?.contains("ModelArts.0104") == true)
                let ledger = await harness.simulator.ledger()
                #expect(ledger.requests.create == 1)
                #expect(ledger.versions.isEmpty)
            }
        }
    }

    @Test func retryAfterIsHonoured() async throws {
        let faults = [FaultRule(target: .create, kind: .error, status: 429, errorCode: "APIGW.0308", retryAfter: 1, count: 1)]
        try await EngineHarness.with(simulator: .init(timeScale: 60, scenario: .init(faults: faults))) { harness in
            try await harness.running(harness.makeEngine()) { engine in
                let id = try await harness.submit()
                engine.submissionAccepted()
                let view = try await harness.waitFor(id, in: [.tracking, .succeeded])
                #expect(view.attempts.map(\.outcome) == ["throttled", "created"])
                #expect(view.attempts[0].httpStatus == 429)
                #expect((view.attempts[0].delayMS ?? 0) >= 1000)
                let waited = try #require(view.attempts[0].finishedAt).distance(to: view.attempts[1].startedAt)
                #expect(waited >= 0.99)
            }
        }
    }

    @Test func throttlingNeverSpendsTheAttemptBudget() async throws {
        // Two attempts allowed, five 429s in a row (with and without Retry-After): it still gets through.
        let faults = [
            FaultRule(target: .create, kind: .error, status: 429, errorCode: "APIGW.0308", count: 3),
            FaultRule(target: .create, kind: .error, status: 429, errorCode: "ModelArts.2799", count: 2),
        ]
        var configuration = EngineHarness.fastConfiguration(maxAttempts: 2)
        configuration.retry.baseDelay = .milliseconds(20)
        try await EngineHarness.with(
            simulator: .init(timeScale: 60, scenario: .init(faults: faults)), configuration: configuration
        ) { harness in
            try await harness.running(harness.makeEngine()) { engine in
                let id = try await harness.submit()
                engine.submissionAccepted()
                let view = try await harness.waitFor(id, in: [.tracking, .succeeded, .exhausted], timeout: .seconds(30))
                #expect(view.state != .exhausted, "\(view.reason ?? "")")
                #expect(view.attempts.map(\.outcome) == ["throttled", "throttled", "throttled", "throttled", "throttled", "created"])
                #expect(view.history.contains { $0.reason?.hasPrefix("throttled, waiting") == true })
                let stored = try #require(try await harness.store.stored(id: id))
                #expect(stored.attemptCount == 1)
            }
        }
    }

    @Test func throttlingEndsOnlyWhenTheAgeBudgetIsSpent() async throws {
        let faults = [FaultRule(target: .create, kind: .error, status: 429, errorCode: "APIGW.0308")]
        var configuration = EngineHarness.fastConfiguration(maxAttempts: 1)
        configuration.retry.maxAge = .seconds(3)
        try await EngineHarness.with(
            simulator: .init(timeScale: 60, scenario: .init(faults: faults)), configuration: configuration
        ) { harness in
            try await harness.running(harness.makeEngine()) { engine in
                let id = try await harness.submit()
                engine.submissionAccepted()
                let view = try await harness.waitFor(id, in: [.exhausted], timeout: .seconds(20))
                #expect(view.attempts.count > 1)
                #expect(view.attempts.allSatisfy { $0.outcome == "throttled" })
                #expect(view.reason?.contains("age budget spent") == true)
            }
        }
    }

    @Test func quotaErrorsUseTheSlowDelays() async throws {
        let faults = [FaultRule(target: .create, kind: .error, status: 400, errorCode: "ModelArts.0118", count: 1)]
        try await EngineHarness.with(simulator: .init(timeScale: 60, scenario: .init(faults: faults))) { harness in
            // Jitter fixed at the ceiling, so the slow base (150 ms) shows exactly.
            try await harness.running(harness.makeEngine(random: .constant(1))) { engine in
                let id = try await harness.submit()
                engine.submissionAccepted()
                let view = try await harness.waitFor(id, in: [.tracking, .succeeded])
                #expect(view.attempts.map(\.outcome) == ["slow", "created"])
                #expect(view.attempts[0].delayMS == 150)
            }
        }
    }

    @Test func theAttemptBudgetRunsOut() async throws {
        let faults = [FaultRule(target: .create, kind: .error, status: 503, errorCode: "ModelArts.4700")]
        var configuration = EngineHarness.fastConfiguration(maxAttempts: 3)
        configuration.retry.maxDelay = .milliseconds(30)
        try await EngineHarness.with(simulator: .init(timeScale: 60, scenario: .init(faults: faults)), configuration: configuration) { harness in
            try await harness.running(harness.makeEngine()) { engine in
                let id = try await harness.submit()
                engine.submissionAccepted()
                let view = try await harness.waitFor(id, in: [.exhausted])
                #expect(view.attempts.count == 3)
                #expect(view.reason?.contains("attempt budget") == true)
                #expect(await harness.simulator.ledger().requests.create == 3)
            }
        }
    }

    @Test func aResetConnectionIsReconciledThenSentAgain() async throws {
        // A reset after the request was written: the outcome is unknown, so nothing is re-sent until the
        // job's versions were listed over the whole schedule.
        let faults = [FaultRule(target: .create, kind: .reset, count: 1)]
        try await EngineHarness.with(simulator: .init(timeScale: 60, scenario: .init(faults: faults))) { harness in
            try await harness.running(harness.makeEngine()) { engine in
                let id = try await harness.submit()
                engine.submissionAccepted()
                let view = try await harness.waitFor(id, in: [.tracking, .succeeded])
                #expect(view.attempts.count == 2)
                #expect(["unknown_outcome", "transient"].contains(view.attempts[0].outcome))
                let ledger = await harness.simulator.ledger()
                #expect(ledger.versions.count == 1)
                #expect(ledger.requests.create == 2)
                if view.attempts[0].outcome == "unknown_outcome" {
                    // One listing per step of the schedule (4), before concluding "not created".
                    #expect(ledger.requests.list >= 4)
                }
            }
        }
    }

    @Test(arguments: [nil, 504] as [Int?])
    func aLostResponseIsAdoptedWithoutASecondCreate(status: Int?) async throws {
        let faults = [FaultRule(target: .create, kind: .lostResponse, status: status, count: 1)]
        try await EngineHarness.with(simulator: .init(timeScale: 60, scenario: .init(faults: faults))) { harness in
            try await harness.running(harness.makeEngine()) { engine in
                let id = try await harness.submit()
                engine.submissionAccepted()
                let view = try await harness.waitFor(id, in: [.tracking, .succeeded])
                let ledger = await harness.simulator.ledger()
                #expect(ledger.requests.create == 1)
                #expect(ledger.versions.count == 1)
                #expect(ledger.versions.first?.responseLost == true)
                #expect(view.versionID == ledger.versions.first?.versionID)
                #expect(view.attempts.count == 1)
                #expect(view.attempts.first?.outcome == "created")
                #expect(view.history.contains { $0.state == .reconciling })
            }
        }
    }

    @Test func aSlowCreateThatTimesOutIsFoundLater() async throws {
        // The backend takes longer than our request timeout, then creates the version anyway.
        let faults = [FaultRule(target: .create, kind: .delay, delayMilliseconds: 1500, count: 1)]
        try await EngineHarness.with(
            simulator: .init(timeScale: 60, scenario: .init(faults: faults)), requestTimeout: .milliseconds(500)
        ) { harness in
            try await harness.running(harness.makeEngine()) { engine in
                let id = try await harness.submit()
                engine.submissionAccepted()
                let view = try await harness.waitFor(id, in: [.tracking, .succeeded])
                let ledger = await harness.simulator.ledger()
                #expect(ledger.versions.count == 1)
                #expect(view.versionID == ledger.versions.first?.versionID)
            }
        }
    }

    @Test func fiftySubmissionsOnOneJobNeverOverlap() async throws {
        try await EngineHarness.with { harness in
            try await harness.running(harness.makeEngine()) { engine in
                var ids: [String] = []
                for index in 0..<50 {
                    ids.append(try await harness.submit(request: EngineHarness.sampleRequest(jobDesc: "run \(index)")))
                }
                engine.submissionAccepted()
                let views = try await harness.waitForAll(ids, in: [.tracking, .succeeded])
                let intervals = views.flatMap { $0.attempts.compactMap(\.interval) }
                #expect(intervals.count == 50)
                #expect(maximumOverlap(intervals) == 1)
                #expect(await harness.ledgerVersions().count == 50)
                #expect(Set(views.compactMap(\.versionID)).count == 50)
            }
        }
    }

    @Test func differentJobsRunInParallelUpToTheCap() async throws {
        // Every create takes 300 ms, so attempts on different jobs overlap as far as the cap allows.
        let faults = [FaultRule(target: .create, kind: .delay, delayMilliseconds: 300)]
        try await EngineHarness.with(
            simulator: .init(timeScale: 60, scenario: .init(faults: faults)),
            configuration: EngineHarness.fastConfiguration(concurrency: 4)
        ) { harness in
            try await harness.running(harness.makeEngine()) { engine in
                var ids: [String] = []
                for round in 0..<2 {
                    for job in Int64(101)...110 {
                        ids.append(try await harness.submit(
                            jobID: job,
                            request: EngineHarness.sampleRequest(
                                jobDesc: "round \(round)", preVersionID: EngineHarness.previousVersion(of: job))))
                    }
                }
                engine.submissionAccepted()
                let views = try await harness.waitForAll(ids, in: [.tracking, .succeeded])
                let all = views.flatMap { $0.attempts.compactMap(\.interval) }
                #expect(maximumOverlap(all) == 4)
                for job in Int64(101)...110 {
                    let sameJob = views.filter { $0.jobID == job }.flatMap { $0.attempts.compactMap(\.interval) }
                    #expect(maximumOverlap(sameJob) == 1, "job \(job)")
                }
                let ledger = await harness.simulator.ledger()
                #expect(ledger.versions.count == 20)
            }
        }
    }

    @Test func theSharedRateLimitKeepsUnderTheGatewayThrottle() async throws {
        // The gateway allows 5 calls a second per caller; our bucket sends at most 4 a second.
        try await EngineHarness.with(
            simulator: .init(timeScale: 60, rateLimit: 5), clientRate: 4, clientBurst: 1
        ) { harness in
            try await harness.running(harness.makeEngine()) { engine in
                var ids: [String] = []
                for job in Int64(201)...210 {
                    ids.append(try await harness.submit(jobID: job))
                }
                engine.submissionAccepted()
                let views = try await harness.waitForAll(ids, in: [.tracking, .succeeded])
                #expect(views.allSatisfy { $0.attempts.count == 1 })
                let ledger = await harness.simulator.ledger()
                #expect(ledger.requests.throttled == 0)
                #expect(ledger.requests.create == 10)
            }
        }
    }

    @Test func aLongBacklogOnOneJobDoesNotHoldUpOtherJobs() async throws {
        // Every create takes 100 ms; job 10 has 20 waiting.
        let faults = [FaultRule(target: .create, kind: .delay, delayMilliseconds: 100)]
        try await EngineHarness.with(simulator: .init(timeScale: 60, scenario: .init(faults: faults))) { harness in
            var backlog: [String] = []
            for index in 0..<20 {
                backlog.append(try await harness.submit(request: EngineHarness.sampleRequest(jobDesc: "backlog \(index)")))
            }
            let other = try await harness.submit(jobID: 12)
            try await harness.running(harness.makeEngine()) { engine in
                engine.submissionAccepted()
                try await harness.waitFor(other, in: [.tracking, .succeeded])
                var waiting = 0
                for id in backlog where try await harness.store.submission(id: id)?.state == .queued {
                    waiting += 1
                }
                #expect(waiting > 10, "job 12 waited for job 10's backlog")
                _ = try await harness.waitForAll(backlog, in: [.tracking, .succeeded])
            }
        }
    }
}
