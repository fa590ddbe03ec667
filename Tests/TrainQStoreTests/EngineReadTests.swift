import Foundation
import Testing
import TrainQAPI

@testable import TrainQStore

@Suite struct EngineReadTests {
    @Test func dueHoldsQueuedAndRetryingWhoseTimeHasCome() async throws {
        try await withStore { store, _ async throws in
            let queued = try await create(store, newSubmission(description: "queued", at: time(5)))
            let retryingSoon = try await create(store, newSubmission(description: "soon", at: time(0)))
            let retryingLater = try await create(store, newSubmission(description: "later", at: time(0)))
            let tracking = try await create(store, newSubmission(description: "tracking", at: time(0)))
            for (view, next) in [(retryingSoon, time(3)), (retryingLater, time(50))] {
                _ = try await store.transition(id: view.id, from: .queued, to: .submitting, attempt: .begin(at: time(1)))
                _ = try await store.transition(
                    id: view.id, from: .submitting, to: .retrying, changes: SubmissionChanges(nextAttemptAt: next),
                    attempt: .finish(AttemptResult(finishedAt: time(2), outcome: "transient")), at: time(2))
            }
            _ = try await store.transition(id: tracking.id, from: .queued, to: .submitting, attempt: .begin(at: time(1)))
            _ = try await store.transition(
                id: tracking.id, from: .submitting, to: .tracking, changes: SubmissionChanges(version: CreatedVersion(id: 5)))

            let dueAt10 = try await store.due(now: time(10), limit: 10)
            #expect(dueAt10.map(\.id) == [retryingSoon.id, queued.id])
            #expect(dueAt10.first?.attemptCount == 1)
            #expect(dueAt10.first?.view.attempts.count == 1)
            #expect(try await store.due(now: time(10), limit: 1).map(\.id) == [retryingSoon.id])
            #expect(try await store.due(now: time(60), limit: 10).count == 3)
            #expect(try await store.due(now: time(10), limit: 0).isEmpty)

            #expect(try await store.nextDueDate() == time(3))
            #expect(try await store.oldestDue(now: time(10)) == .seconds(7))
            #expect(try await store.submissions(in: .retrying).map(\.id) == [retryingSoon.id, retryingLater.id])
            #expect(try await store.jobsWithOpenCreate().isEmpty)

            let counts = try await store.countsByState()
            #expect(counts.count == SubmissionState.allCases.count)
            #expect(counts[.queued] == 1 && counts[.retrying] == 2 && counts[.tracking] == 1 && counts[.failed] == 0)
        }
    }

    @Test func jobsWithACreateInFlightAreReported() async throws {
        try await withStore { store, _ async throws in
            let a = try await create(store, newSubmission(jobID: 10, description: "a"))
            _ = try await create(store, newSubmission(jobID: 11, description: "b"))
            _ = try await store.transition(id: a.id, from: .queued, to: .submitting, attempt: .begin(at: time(1)))
            #expect(try await store.jobsWithOpenCreate() == [JobKey(projectID: projectID, jobID: 10)])
            _ = try await store.transition(
                id: a.id, from: .submitting, to: .reconciling,
                attempt: .finish(AttemptResult(finishedAt: time(2), outcome: "unknown_outcome", httpStatus: 504)))
            #expect(try await store.jobsWithOpenCreate() == [JobKey(projectID: projectID, jobID: 10)])
            _ = try await store.transition(id: a.id, from: .reconciling, to: .retrying, reason: "no version was created")
            #expect(try await store.jobsWithOpenCreate().isEmpty)
        }
    }

    @Test func anEmptyStoreHasNothingDue() async throws {
        try await withStore { store, _ async throws in
            #expect(try await store.due(now: time(0), limit: 10).isEmpty)
            #expect(try await store.nextDueDate() == nil)
            #expect(try await store.oldestDue(now: time(0)) == nil)
            #expect(await store.lastSequence() == 0)
            #expect(try await store.countsByState().values.allSatisfy { $0 == 0 })
        }
    }
}
