import Foundation
import Testing
import TrainQAPI

@testable import TrainQStore

@Suite struct RecoveryTests {
    /// What the engine writes for an attempt a previous run left `submitting`: the row goes to
    /// `reconciling` and its open attempt is closed as `interrupted`, in one transaction on a reopened store.
    @Test func anInterruptedAttemptIsClosedWithTheMoveToReconciling() async throws {
        try await withTemporaryDirectory { directory async throws in
            let path = directory.appendingPathComponent("trainq.db").path
            let before = try SubmissionStore(path: path, logger: testLogger)
            let inFlight = try await create(before, newSubmission(jobID: 10, description: "in flight"))
            let waiting = try await create(before, newSubmission(jobID: 11, description: "waiting"))
            _ = try await before.transition(
                id: inFlight.id, from: .queued, to: .submitting, attempt: .begin(at: time(1)), at: time(1))
            // The daemon dies here: the attempt was recorded, its outcome never was.
            await before.close()

            let after = try SubmissionStore(path: path, logger: testLogger)
            #expect(try await after.submissions(in: .submitting).map(\.id) == [inFlight.id])
            let reason = "daemon restarted during an attempt"
            let interrupt = SubmissionWrite(
                expected: .submitting, next: .reconciling, attempt: .interrupt(at: time(100)), reason: reason, at: time(100))
            let moved = try #require(try await after.apply(interrupt, id: inFlight.id))
            #expect(moved.state == .reconciling)
            let view = try #require(try await after.submission(id: inFlight.id))
            #expect(view.reason == reason)
            #expect(view.attempts == [
                AttemptView(number: 1, startedAt: time(1), finishedAt: time(100), outcome: "interrupted")
            ])
            #expect(view.history.map(\.state) == [.queued, .submitting, .reconciling])
            #expect(view.history.last?.reason == reason)
            #expect(try await after.submission(id: waiting.id)?.state == .queued)
            // Compare-and-set: a second recovery finds nothing to move.
            #expect(try await after.apply(interrupt, id: inFlight.id) == nil)
            #expect(try await after.submissions(in: .submitting).isEmpty)
            await after.close()
        }
    }

    @Test func aWriteThatKeepsTheStateOnlyRecordsARemoteStatus() async throws {
        try await withTemporaryDirectory { directory async throws in
            let store = try SubmissionStore(path: directory.appendingPathComponent("trainq.db").path, logger: testLogger)
            let queued = try await create(store, newSubmission())
            let stay = SubmissionWrite(expected: .queued, next: nil, reason: "nothing", at: time(1))
            await #expect(throws: StoreError.self) { try await store.apply(stay, id: queued.id) }
            let forbidden = SubmissionWrite(expected: .queued, next: .succeeded, at: time(1))
            await #expect(throws: StoreError.self) { try await store.apply(forbidden, id: queued.id) }
            #expect(try await store.submission(id: queued.id)?.history.count == 1)
            await store.close()
        }
    }
}
