import Foundation
import ModelArts
import ModelArtsSimulator
import Testing
import TrainQAPI
import TrainQStore

@testable import TrainQEngine

/// The executor on its own, on a real store and simulator and with no service running: the write of a
/// decision (compare-and-set on the state it was made in), the stale and refused paths, and the actions
/// it carries out afterwards.
@Suite struct DecisionExecutorTests {
    /// A submission id no store hands out (ids are ULIDs).
    static let missingID = "01NOSUCHSUBMISSION00000000"

    /// True when `signal` has been rung (before the call or during it), false when `limit` passes first.
    /// A ring is consumed by the call, as the service loop would consume it.
    static func rings(_ signal: WakeSignal, within limit: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self, returning: Bool.self) { group in
            group.addTask {
                await signal.wait(timeout: nil)
                return !Task.isCancelled
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// How many events the store holds for the submission.
    static func eventCount(_ harness: EngineHarness, of id: String) async throws -> Int {
        try await harness.store.events(after: 0, submission: id).events.count
    }

    // MARK: - The write

    @Test func anAppliedDecisionIsWrittenAndItsRowReturned() async throws {
        try await EngineHarness.with { harness in
            let executor = harness.makeEngine().executor
            let id = try await harness.submit()
            let row = try #require(try await harness.store.stored(id: id))
            #expect(row.state == .queued)
            let eventsBefore = try await Self.eventCount(harness, of: id)

            let execution = try await executor.execute(.cancelRequested, on: row)

            let written = try #require(execution.writtenRow, "cancel of a queued submission was not applied: \(execution)")
            #expect(written.id == id)
            #expect(written.state == .canceled)
            #expect(written.view.reason == "canceled by a person")
            #expect(written.view.history.last?.state == .canceled)
            // What was returned is what the store now holds, with one event more.
            let stored = try #require(try await harness.store.submission(id: id))
            #expect(stored.state == .canceled)
            #expect(stored.reason == written.view.reason)
            #expect(stored.history.map(\.state) == written.view.history.map(\.state))
            #expect(try await Self.eventCount(harness, of: id) == eventsBefore + 1)
        }
    }

    @Test func aDecisionOnARowThatMovedMeanwhileIsStaleAndChangesNothing() async throws {
        try await EngineHarness.with { harness in
            let engine = harness.makeEngine()
            let executor = engine.executor
            let submitterSignal = executor.links.submitter
            let id = try await harness.submit()
            // Read while queued...
            let read = try #require(try await harness.store.stored(id: id))
            #expect(read.state == .queued)
            // ...then another event moves the row on.
            let moved = try await executor.execute(.cancelRequested, on: read)
            #expect(moved.writtenRow?.state == .canceled)
            #expect(await Self.rings(submitterSignal, within: .seconds(10)), "the cancel did not wake the submitter")
            let before = try #require(try await harness.store.submission(id: id))
            let eventsBefore = try await Self.eventCount(harness, of: id)

            // Events decided on the old row (queued) no longer fit: the compare-and-set on `queued` fails.
            let start = try await executor.execute(.attemptStarting(serverClock: nil), on: read)
            #expect(start.wasStale, "\(start)")
            let cancel = try await executor.execute(.cancelRequested, on: read)
            #expect(cancel.wasStale, "\(cancel)")

            // Nothing written: the row, its history, its attempts and its events are as they were.
            let after = try #require(try await harness.store.submission(id: id))
            #expect(after == before)
            #expect(after.state == .canceled)
            #expect(after.history.count == before.history.count)
            #expect(after.attempts.isEmpty)
            #expect(try await harness.store.stored(id: id)?.attemptCount == 0)
            #expect(try await Self.eventCount(harness, of: id) == eventsBefore)
            // Nothing done: no create was sent (the start's action) and the submitter was not woken (the
            // cancel's action).
            #expect(await harness.simulator.ledger().requests.create == 0)
            let woken = await Self.rings(submitterSignal, within: .milliseconds(200))
            #expect(!woken, "a stale decision still woke the submitter")
        }
    }

    @Test func aRefusedEventThrowsNotAllowedAndWritesNothing() async throws {
        try await EngineHarness.with { harness in
            let executor = harness.makeEngine().executor
            let id = try await harness.submit()
            let row = try #require(try await harness.store.stored(id: id))
            let before = try #require(try await harness.store.submission(id: id))
            let eventsBefore = try await Self.eventCount(harness, of: id)

            // `retry` is for rejected and exhausted submissions only.
            let error = try await #require(throws: EngineError.self) {
                _ = try await executor.execute(.retryRequested, on: row)
            }
            #expect(error.kind == .notAllowed)
            #expect(error.message == "retry is not possible while the submission is queued")

            let after = try #require(try await harness.store.submission(id: id))
            #expect(after == before)
            #expect(after.state == .queued)
            #expect(try await Self.eventCount(harness, of: id) == eventsBefore)
        }
    }

    // MARK: - A person's actions

    @Test func performReadsDecidesAndReturnsTheSubmissionAfterIt() async throws {
        try await EngineHarness.with { harness in
            let executor = harness.makeEngine().executor
            let id = try await harness.submit()
            let view = try await executor.perform(.cancelRequested, onSubmission: id)
            #expect(view.id == id)
            #expect(view.state == .canceled)
            #expect(try await harness.store.submission(id: id)?.state == .canceled)
            // Asked again, the event no longer fits the state it finds.
            let again = try await #require(throws: EngineError.self) {
                _ = try await executor.perform(.cancelRequested, onSubmission: id)
            }
            #expect(again.kind == .notAllowed)
        }
    }

    @Test func performOnAnUnknownSubmissionThrowsNotFound() async throws {
        try await EngineHarness.with { harness in
            let executor = harness.makeEngine().executor
            let error = try await #require(throws: EngineError.self) {
                _ = try await executor.perform(.cancelRequested, onSubmission: Self.missingID)
            }
            #expect(error.kind == .notFound)
            #expect(error.message.contains(Self.missingID))
        }
    }

    // MARK: - At start

    @Test func interruptedAttemptsGoToReconcilingAndAreCounted() async throws {
        try await EngineHarness.with { harness in
            let executor = harness.makeEngine().executor
            let first = try await harness.submit(jobID: 10)
            let second = try await harness.submit(jobID: 11)
            let waiting = try await harness.submit(jobID: 12)
            for id in [first, second] {
                try await harness.store.transition(id: id, from: .queued, to: .submitting, attempt: .begin(at: Date()))
            }
            let rangBefore = await Self.rings(executor.links.reconciler, within: .milliseconds(200))
            #expect(!rangBefore)

            #expect(try await executor.recoverInterruptedAttempts() == 2)

            for id in [first, second] {
                let view = try #require(try await harness.store.submission(id: id))
                #expect(view.state == .reconciling)
                #expect(view.reason == SubmissionStateMachine.restartReason)
                #expect(view.attempts.map(\.outcome) == ["interrupted"])
            }
            // Only `submitting` rows are touched.
            #expect(try await harness.store.submission(id: waiting)?.state == .queued)
            // The decision's `wakeReconciler` was carried out.
            #expect(await Self.rings(executor.links.reconciler, within: .seconds(10)), "the reconciler was not woken")
            // Nothing is left to recover.
            #expect(try await executor.recoverInterruptedAttempts() == 0)
            // Nothing was sent: reconciling lists first, and no reconciler runs here.
            #expect(await harness.simulator.ledger().requests.create == 0)
        }
    }

    // MARK: - Actions

    @Test func wakeSubmitterRingsTheSubmittersDoorbell() async throws {
        try await EngineHarness.with { harness in
            let executor = harness.makeEngine().executor
            let id = try await harness.submit()
            let row = try #require(try await harness.store.stored(id: id))
            // Nobody has rung it yet (storing a submission does not).
            let rangBefore = await Self.rings(executor.links.submitter, within: .milliseconds(200))
            #expect(!rangBefore)

            // Cancel of a queued submission: `[.wakeSubmitter]`, the job may be free again.
            try await executor.execute(.cancelRequested, on: row)

            #expect(await Self.rings(executor.links.submitter, within: .seconds(10)), "the submitter was not woken")
        }
    }

    @Test func sendCreateAndStopVersionReachTheSimulator() async throws {
        // At time scale 1 a version runs for two minutes: it is still far from its end when stopped.
        try await EngineHarness.with(simulator: .init(timeScale: 1)) { harness in
            let executor = harness.makeEngine().executor
            let id = try await harness.submit()
            let queued = try #require(try await harness.store.stored(id: id))

            // The start writes `submitting`; its `sendCreate` sends the create, whose answer is the next event.
            let start = try await executor.execute(.attemptStarting(serverClock: nil), on: queued)
            #expect(start.writtenRow?.state == .submitting)
            let tracking = try #require(try await harness.store.stored(id: id))
            #expect(tracking.state == .tracking)
            #expect(tracking.view.attempts.map(\.outcome) == ["created"])
            let versionID = try #require(tracking.view.versionID)
            let created = await harness.ledgerVersions()
            #expect(created.map(\.versionID) == [versionID])
            #expect(await harness.simulator.ledger().requests.create == 1)
            #expect(await harness.simulator.ledger().requests.stop == 0)
            let eventsBefore = try await Self.eventCount(harness, of: id)

            // Cancel while tracking: `[.stopRun(id), .pollSoon]` and no write; the state follows the
            // version's status later.
            let cancel = try await executor.execute(.cancelRequested, on: tracking)
            #expect(cancel.wasAppliedWithoutWrite, "\(cancel)")

            #expect(await harness.simulator.ledger().requests.stop == 1)
            // The simulator took the stop: KILLING (9) for five seconds, then CANCELED (13) as it never ran.
            let detail = try await harness.client.showVersion(jobID: tracking.view.jobID, versionID: versionID)
            #expect([9, 13].contains(detail.status.code), "status \(detail.status.code) after the stop")
            // `pollSoon` asked the tracker to look at this submission at its next round.
            #expect(executor.links.tracker.takeAll() == [id])
            // No write: the row is still tracking, with no new event.
            #expect(try await harness.store.stored(id: id)?.state == .tracking)
            #expect(try await Self.eventCount(harness, of: id) == eventsBefore)
        }
    }
}

extension DecisionExecutor.Execution {
    /// The row as written, when the decision was applied and wrote one.
    fileprivate var writtenRow: StoredSubmission? {
        if case .applied(let row) = self { return row }
        return nil
    }

    /// Applied, with a decision that wrote nothing (only actions).
    fileprivate var wasAppliedWithoutWrite: Bool {
        if case .applied(.none) = self { return true }
        return false
    }

    fileprivate var wasStale: Bool {
        if case .stale = self { return true }
        return false
    }
}
