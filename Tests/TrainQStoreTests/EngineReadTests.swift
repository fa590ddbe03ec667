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

            // Each of these is on job 10: only its longest-waiting due submission may start.
            let dueAt10 = try await store.dueWork(now: time(10), busyJobs: [], limit: 10)
            #expect(dueAt10.due.map(\.id) == [retryingSoon.id])
            #expect(!dueAt10.due.map(\.id).contains(queued.id))
            #expect(dueAt10.due.first?.attemptCount == 1)
            #expect(dueAt10.due.first?.view.attempts.count == 1)
            #expect(dueAt10.nextDueAt == nil && !dueAt10.moreDue)
            let dueAt2 = try await store.dueWork(now: time(2), busyJobs: [], limit: 10)
            #expect(dueAt2.due.isEmpty && dueAt2.nextDueAt == time(3))
            let job10 = JobKey(projectID: projectID, jobID: 10)
            #expect(try await store.dueWork(now: time(10), busyJobs: [job10], limit: 10).due.isEmpty)
            let none = try await store.dueWork(now: time(10), busyJobs: [], limit: 0)
            #expect(none.due.isEmpty && none.moreDue)

            #expect(try await store.oldestDue(now: time(10)) == .seconds(7))
            #expect(try await store.submissions(in: .retrying).map(\.id) == [retryingSoon.id, retryingLater.id])
            #expect(try await store.jobsWithOpenCreate().isEmpty)

            let counts = try await store.countsByState()
            #expect(counts.count == SubmissionState.allCases.count)
            #expect(counts[.queued] == 1 && counts[.retrying] == 2 && counts[.tracking] == 1 && counts[.failed] == 0)
        }
    }

    @Test(arguments: StoreKind.available) func dueWorkTakesTheHeadOfEveryFreeJobWhateverTheBacklog(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            // Job 10: a backlog of 30; job 11: one retrying later; job 12: one waiting; job 13: an open create.
            var backlog: [SubmissionView] = []
            for index in 0..<30 {
                backlog.append(try await create(store, newSubmission(jobID: 10, description: "backlog \(index)", at: time(Double(index)))))
            }
            let later = try await create(store, newSubmission(jobID: 11, description: "later", at: time(0)))
            _ = try await store.transition(id: later.id, from: .queued, to: .submitting, attempt: .begin(at: time(1)))
            _ = try await store.transition(
                id: later.id, from: .submitting, to: .retrying, changes: SubmissionChanges(nextAttemptAt: time(90)),
                attempt: .finish(AttemptResult(finishedAt: time(2), outcome: "transient")), at: time(2))
            let waiting = try await create(store, newSubmission(jobID: 12, description: "waiting", at: time(40)))
            let open = try await create(store, newSubmission(jobID: 13, description: "open", at: time(0)))
            let blocked = try await create(store, newSubmission(jobID: 13, description: "blocked", at: time(1)))
            _ = try await store.transition(id: open.id, from: .queued, to: .submitting, attempt: .begin(at: time(1)))

            let work = try await store.dueWork(now: time(50), busyJobs: [], limit: 10)
            #expect(work.due.map(\.id) == [backlog[0].id, waiting.id])
            #expect(work.nextDueAt == time(90))
            #expect(!work.due.map(\.id).contains(blocked.id))

            let busy = try await store.dueWork(now: time(50), busyJobs: [JobKey(projectID: projectID, jobID: 10)], limit: 10)
            #expect(busy.due.map(\.id) == [waiting.id])

            let one = try await store.dueWork(now: time(50), busyJobs: [], limit: 1)
            #expect(one.due.map(\.id) == [backlog[0].id] && one.moreDue)

            // Once its time comes, the retry joins them in due order.
            #expect(try await store.dueWork(now: time(95), busyJobs: [], limit: 10).due.map(\.id) == [backlog[0].id, waiting.id, later.id])
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

    @Test(arguments: StoreKind.available) func anEmptyStoreHasNothingDue(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let work = try await store.dueWork(now: time(0), busyJobs: [], limit: 10)
            #expect(work.due.isEmpty && work.nextDueAt == nil && !work.moreDue)
            #expect(try await store.oldestDue(now: time(0)) == nil)
            #expect(try await store.lastSequence() == 0)
            #expect(try await store.countsByState().values.allSatisfy { $0 == 0 })
        }
    }
}
