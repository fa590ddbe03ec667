import Foundation
import JSONTree
import ModelArts
import ModelArtsSimulator
import Testing
import TrainQAPI
import TrainQStore

@testable import TrainQEngine

/// Restarts and reconciliation against the real simulator: what a daemon finds `submitting` at start.
@Suite struct ReconcilerTests {
    /// Leaves a submission as a daemon killed mid-attempt would: `submitting`, attempt 1 begun.
    func orphan(_ harness: EngineHarness, request: JSONValue = EngineHarness.sampleRequest()) async throws -> (id: String, startedAt: Date) {
        let id = try await harness.submit(request: request)
        let startedAt = Date()
        let begun = try await harness.store.transition(id: id, from: .queued, to: .submitting, attempt: .begin(at: startedAt), at: startedAt)
        #expect(begun?.state == .submitting)
        return (id, startedAt)
    }

    /// Sends the create an interrupted attempt would have sent (same request, same marker rule).
    func sendLikeTheAttempt(_ harness: EngineHarness, id: String, request: JSONValue = EngineHarness.sampleRequest()) async throws -> CreateVersionResponse {
        let valid = try CreateVersionRequest.validate(request).get()
        let sent = DescMarker.apply(to: valid, submissionID: id, enabled: harness.configuration.descMarker)
        return try await harness.client.createVersion(jobID: 10, request: sent.request)
    }

    @Test func anInterruptedAttemptThatCreatedAVersionIsAdopted() async throws {
        try await EngineHarness.with { harness in
            let (id, _) = try await orphan(harness)
            let created = try await sendLikeTheAttempt(harness, id: id)
            try await harness.running(harness.makeEngine()) { _ in
                let view = try await harness.waitFor(id, in: [.tracking, .succeeded])
                #expect(view.versionID == created.versionID)
                #expect(view.attempts.count == 1)
                #expect(view.attempts.first?.outcome == "created")
                #expect(view.history.map(\.state).contains(.reconciling))
                let ledger = await harness.simulator.ledger()
                #expect(ledger.versions.count == 1)
                #expect(ledger.requests.create == 1)
            }
        }
    }

    @Test func anInterruptedAttemptThatCreatedNothingIsSentAgainAfterTheWholeSchedule() async throws {
        try await EngineHarness.with { harness in
            let (id, _) = try await orphan(harness)
            try await harness.running(harness.makeEngine()) { _ in
                let view = try await harness.waitFor(id, in: [.tracking, .succeeded])
                #expect(view.attempts.map(\.outcome) == ["interrupted", "created"])
                let ledger = await harness.simulator.ledger()
                #expect(ledger.versions.count == 1)
                #expect(ledger.requests.create == 1)
                // One listing per step of the schedule before "not created": 1 + 3 waits.
                #expect(ledger.requests.list >= harness.configuration.reconcile.relistSchedule.listings)
            }
        }
    }

    /// The schedule's progress is on the row: a restart resumes it where it was, rather than listing the job
    /// again at once and starting the whole schedule over.
    @Test func aRestartResumesTheRelistScheduleWhereItWas() async throws {
        var configuration = EngineHarness.fastConfiguration()
        configuration.reconcile.relistSchedule = RelistSchedule(waits: [.milliseconds(50), .milliseconds(50), .seconds(2)])
        try await EngineHarness.with(configuration: configuration) { harness in
            let (id, _) = try await orphan(harness)
            // First run: three empty listings, then stopped while the last wait runs.
            let progress = try await harness.running(harness.makeEngine()) { _ in
                for _ in 0..<500 {
                    if let row = try await harness.store.stored(id: id), row.relist.emptyListings >= 3 { return row.relist }
                    try await Task.sleep(for: .milliseconds(10))
                }
                throw EngineHarness.HarnessError.timedOut
            }
            #expect(progress.emptyListings == 3)
            let nextListingAt = try #require(progress.nextListingAt)
            #expect(nextListingAt > Date())
            #expect(await harness.simulator.ledger().requests.list == 3)

            // The re-sent create answers slowly, so the listings can be counted before tracking lists too.
            await harness.simulator.setFaults([FaultRule(target: .create, kind: .delay, delayMilliseconds: 1_500, count: 1)])
            try await harness.running(harness.makeEngine()) { _ in
                let resent = try await harness.waitFor(id, in: [.submitting])
                #expect(resent.attempts.count == 2)
                // One listing more (the schedule's fourth and last), not a schedule started over.
                #expect(await harness.simulator.ledger().requests.list == 4)
                let firstAfterRestart = try #require(resent.history.last(where: { $0.state == .retrying })?.at)
                #expect(firstAfterRestart >= nextListingAt.addingTimeInterval(-0.01))
                let view = try await harness.waitFor(id, in: [.tracking, .succeeded])
                #expect(view.attempts.map(\.outcome) == ["interrupted", "created"])
            }
            #expect(await harness.simulator.ledger().versions.count == 1)
        }
    }

    @Test func aLateCommitIsFoundByALaterListing() async throws {
        var configuration = EngineHarness.fastConfiguration()
        configuration.reconcile.relistSchedule = RelistSchedule(waits: [.milliseconds(300), .milliseconds(300), .seconds(1)])
        try await EngineHarness.with(configuration: configuration) { harness in
            let (id, _) = try await orphan(harness)
            try await harness.running(harness.makeEngine()) { _ in
                // The first listing finds nothing; the version appears before the schedule ends.
                try await Task.sleep(for: .milliseconds(150))
                let created = try await sendLikeTheAttempt(harness, id: id)
                let view = try await harness.waitFor(id, in: [.tracking, .succeeded])
                #expect(view.versionID == created.versionID)
                #expect(await harness.simulator.ledger().versions.count == 1)
            }
        }
    }

    @Test func withoutAMarkerTwoLookalikesNeedAPerson() async throws {
        var configuration = EngineHarness.fastConfiguration()
        configuration.descMarker = false
        try await EngineHarness.with(configuration: configuration) { harness in
            let (id, _) = try await orphan(harness)
            let first = try await sendLikeTheAttempt(harness, id: id)
            let second = try await sendLikeTheAttempt(harness, id: id)
            let engine = harness.makeEngine()
            try await harness.running(engine) { engine in
                let view = try await harness.waitFor(id, in: [.needsAttention])
                #expect(view.reason?.contains("\(first.versionID)") == true)
                #expect(view.reason?.contains("\(second.versionID)") == true)

                // Another submission for the same job must wait while this one is undecided.
                let waiting = try await harness.submit()
                engine.submissionAccepted()
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await harness.store.submission(id: waiting)?.state == .queued)

                let resolved = try await engine.resolve(id: id, ResolveRequest(action: .adopt, versionID: second.versionID))
                #expect(resolved.state == .tracking)
                #expect(resolved.versionID == second.versionID)
                try await harness.waitFor(waiting, in: [.tracking, .succeeded])
            }
        }
    }

    @Test func theFieldsOfAnotherRequestDoNotMatch() async throws {
        var configuration = EngineHarness.fastConfiguration()
        configuration.descMarker = false
        try await EngineHarness.with(configuration: configuration) { harness in
            let (id, _) = try await orphan(harness)
            // Someone else's version of the same job, created meanwhile, with another output directory.
            let other = EngineHarness.sampleRequest(trainURL: "/usr/elsewhere/")
            _ = try await harness.client.createVersion(jobID: 10, request: try CreateVersionRequest.validate(other).get())
            try await harness.running(harness.makeEngine()) { _ in
                let view = try await harness.waitFor(id, in: [.tracking, .succeeded])
                let ledger = await harness.simulator.ledger()
                #expect(ledger.versions.count == 2)
                let ours = ledger.versions.first { $0.versionID == view.versionID }
                #expect(ours != nil)
                #expect(view.attempts.map(\.outcome) == ["interrupted", "created"])
            }
        }
    }

    @Test func aPermanentListingErrorNeedsAPerson() async throws {
        let faults = [FaultRule(target: .list, kind: .error, status: 403, errorCode: "ModelArts.0108")]
        try await EngineHarness.with(simulator: .init(timeScale: 60, scenario: .init(faults: faults))) { harness in
            let (id, _) = try await orphan(harness)
            try await harness.running(harness.makeEngine()) { _ in
                let view = try await harness.waitFor(id, in: [.needsAttention])
                #expect(view.reason?.contains("ModelArts.0108") == true)
                #expect(await harness.simulator.ledger().requests.create == 0)
            }
        }
    }

    @Test func transientListingErrorsAreRetriedWithoutCountingAsEmpty() async throws {
        let faults = [FaultRule(target: .list, kind: .error, status: 503, errorCode: "ModelArts.4700", count: 3)]
        try await EngineHarness.with(simulator: .init(timeScale: 60, scenario: .init(faults: faults))) { harness in
            let (id, _) = try await orphan(harness)
            let created = try await sendLikeTheAttempt(harness, id: id)
            try await harness.running(harness.makeEngine()) { _ in
                let view = try await harness.waitFor(id, in: [.tracking, .succeeded])
                #expect(view.versionID == created.versionID)
                #expect(await harness.simulator.ledger().requests.create == 1)
            }
        }
    }

    @Test func aNotCreatedVerdictWithTheBudgetSpentExhaustsWithoutSending() async throws {
        try await EngineHarness.with(configuration: EngineHarness.fastConfiguration(maxAttempts: 1)) { harness in
            let (id, _) = try await orphan(harness)
            try await harness.running(harness.makeEngine()) { _ in
                let view = try await harness.waitFor(id, in: [.exhausted])
                #expect(view.attempts.map(\.outcome) == ["interrupted"])
                #expect(view.history.map(\.state).suffix(3) == [.reconciling, .retrying, .exhausted])
                #expect(await harness.simulator.ledger().requests.create == 0)
            }
        }
    }
}
