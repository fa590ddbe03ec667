import Foundation
import JSONTree
import Testing
import TrainQAPI

@testable import TrainQStore

@Suite struct TransitionTests {
    @Test(arguments: StoreKind.available) func aTransitionFromTheCurrentStateSucceedsWithItsEventAndAttempt(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let queued = try await create(store, newSubmission())
            let submitting = try #require(
                try await store.transition(
                    id: queued.id, from: .queued, to: .submitting, attempt: .begin(at: time(1)),
                    reason: "attempt 1", at: time(1)))
            #expect(submitting.state == .submitting)
            #expect(submitting.updatedAt == time(1))
            #expect(submitting.nextAttemptAt == nil)
            #expect(submitting.reason == "attempt 1")
            #expect(submitting.attempts == [AttemptView(number: 1, startedAt: time(1))])
            #expect(submitting.history.map(\.state) == [.queued, .submitting])
            #expect(submitting.history.last?.reason == "attempt 1")
            #expect(try await store.stored(id: queued.id)?.attemptCount == 1)

            let retrying = try #require(
                try await store.transition(
                    id: queued.id, from: .submitting, to: .retrying,
                    changes: SubmissionChanges(
                        nextAttemptAt: time(3),
                        lastError: .set(LastError(httpStatus: 503, code: "ModelArts.4700", message: "busy"))),
                    attempt: .finish(
                        AttemptResult(
                            finishedAt: time(2), outcome: "transient", httpStatus: 503, errorCode: "ModelArts.4700",
                            message: "busy", requestID: "req-1", delayMS: 1000)),
                    reason: "ModelArts.4700: busy", at: time(2)))
            #expect(retrying.state == .retrying)
            #expect(retrying.nextAttemptAt == time(3))
            #expect(
                retrying.attempts == [
                    AttemptView(
                        number: 1, startedAt: time(1), finishedAt: time(2), outcome: "transient", httpStatus: 503,
                        errorCode: "ModelArts.4700", message: "busy", requestID: "req-1", delayMS: 1000)
                ])
            #expect(try await store.stored(id: queued.id)?.lastError?.code == "ModelArts.4700")

            _ = try await store.transition(
                id: queued.id, from: .retrying, to: .submitting, attempt: .begin(at: time(3)), at: time(3))
            let tracking = try #require(
                try await store.transition(
                    id: queued.id, from: .submitting, to: .tracking,
                    changes: SubmissionChanges(
                        version: CreatedVersion(id: 21, name: "V0002", createdAt: time(4)),
                        remoteStatus: RemoteStatus(code: 1, name: "JOBSTAT_INIT"), lastError: .clear),
                    attempt: .finish(AttemptResult(finishedAt: time(4), outcome: "created", httpStatus: 200)),
                    reason: "version V0002 created", at: time(4)))
            #expect(tracking.versionID == 21)
            #expect(tracking.versionName == "V0002")
            #expect(tracking.remoteStatus == RemoteStatus(code: 1, name: "JOBSTAT_INIT", at: time(4)))
            #expect(tracking.attempts.map(\.number) == [1, 2])
            #expect(tracking.attempts.last?.outcome == "created")
            #expect(tracking.history.last?.remoteStatus == RemoteStatus(code: 1, name: "JOBSTAT_INIT"))
            let stored = try #require(try await store.stored(id: queued.id))
            #expect(stored.attemptCount == 2)
            #expect(stored.lastError == nil)
            #expect(stored.versionCreatedAt == time(4))
            #expect(try await store.submission(id: queued.id) == tracking)
        }
    }

    @Test(arguments: StoreKind.available) func aTransitionFromAnotherStateChangesNothing(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let queued = try await create(store, newSubmission())
            let result = try await store.transition(
                id: queued.id, from: .retrying, to: .submitting, attempt: .begin(at: time(1)), at: time(1))
            #expect(result == nil)
            #expect(try await store.submission(id: queued.id) == queued)
            #expect(try await count("attempts", in: store) == 0)
            #expect(try await count("events", in: store) == 1)

            // Two racing deciders: only the first wins.
            let first = try await store.transition(id: queued.id, from: .queued, to: .canceled, at: time(2))
            let second = try await store.transition(
                id: queued.id, from: .queued, to: .submitting, attempt: .begin(at: time(2)), at: time(2))
            #expect(first?.state == .canceled)
            #expect(second == nil)
            #expect(try await store.transition(id: "missing", from: .queued, to: .canceled) == nil)
        }
    }

    @Test(arguments: StoreKind.available) func aTransitionTheTableForbidsIsRefused(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let queued = try await create(store, newSubmission())
            for (from, to) in [(SubmissionState.queued, SubmissionState.tracking), (.queued, .succeeded), (.succeeded, .queued)] {
                #expect(!from.canMove(to: to))
                let error = try await #require(throws: StoreError.self) {
                    try await store.transition(id: queued.id, from: from, to: to, at: time(1))
                }
                #expect(error.kind == .invalidTransition)
            }
            #expect(try await store.submission(id: queued.id) == queued)
        }
    }

    @Test(arguments: StoreKind.available) func finishingWithoutAnAttemptRollsTheWholeTransitionBack(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let queued = try await create(store, newSubmission())
            let error = try await #require(throws: StoreError.self) {
                try await store.transition(
                    id: queued.id, from: .queued, to: .canceled,
                    attempt: .finish(AttemptResult(finishedAt: time(1), outcome: "permanent")), at: time(1))
            }
            #expect(error.kind == .invalidTransition)
            // Neither the state nor an event was written.
            #expect(try await store.submission(id: queued.id) == queued)
            #expect(try await store.lastSequence() == 1)
        }
    }

    @Test(arguments: StoreKind.available) func everyChangeWritesOneEventWithIncreasingSeq(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let a = try await create(store, newSubmission(description: "a"))
            let b = try await create(store, newSubmission(description: "b"))
            _ = try await store.transition(id: a.id, from: .queued, to: .submitting, attempt: .begin(at: time(1)))
            _ = try await store.transition(id: b.id, from: .queued, to: .canceled, reason: "by alice")
            _ = try await store.transition(
                id: a.id, from: .submitting, to: .tracking,
                changes: SubmissionChanges(version: CreatedVersion(id: 21)))
            let page = try await store.events(after: 0)
            #expect(page.events.count == 5)
            #expect(page.events.map(\.seq) == Array(1...5))
            #expect(page.lastSeq == 5)
            #expect(page.events.map(\.state) == [.queued, .queued, .submitting, .canceled, .tracking])
            #expect(page.events[3].reason == "by alice")
            #expect(page.events[3].submission == b.id)
            // Each submission's history holds exactly its events.
            let history = try #require(try await store.submission(id: a.id)).history
            #expect(history.map(\.seq) == [1, 3, 5])
        }
    }

    @Test(arguments: StoreKind.available) func remoteStatusChangesAreRecordedWhileTracking(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let queued = try await create(store, newSubmission())
            #expect(try await !store.recordRemoteStatus(id: queued.id, status: RemoteStatus(code: 8, name: "RUNNING")))
            _ = try await store.transition(id: queued.id, from: .queued, to: .submitting, attempt: .begin(at: time(1)))
            _ = try await store.transition(
                id: queued.id, from: .submitting, to: .tracking,
                changes: SubmissionChanges(
                    version: CreatedVersion(id: 21, name: "V0002"),
                    remoteStatus: RemoteStatus(code: 1, name: "JOBSTAT_INIT")))
            let before = try await store.lastSequence()

            #expect(
                try await store.recordRemoteStatus(
                    id: queued.id, status: RemoteStatus(code: 8, name: "JOBSTAT_RUNNING"),
                    timing: RemoteTiming(startTime: time(10), durationMS: 0), at: time(10)))
            // The same status again changes no history.
            #expect(
                try await store.recordRemoteStatus(
                    id: queued.id, status: RemoteStatus(code: 8, name: "JOBSTAT_RUNNING"), at: time(11),
                    appendsEvent: false))
            #expect(try await store.lastSequence() == before + 1)

            let snapshot = JSONValue.object(["status": .integer(10), "duration": .integer(532003)])
            _ = try await store.transition(
                id: queued.id, from: .tracking, to: .succeeded,
                changes: SubmissionChanges(
                    remoteStatus: RemoteStatus(code: 10, name: "JOBSTAT_COMPLETED"), remoteSnapshot: snapshot,
                    timing: RemoteTiming(startTime: time(10), durationMS: 532003)),
                reason: "completed", at: time(20))
            let view = try #require(try await store.submission(id: queued.id))
            #expect(view.state == .succeeded)
            #expect(view.remoteStatus == RemoteStatus(code: 10, name: "JOBSTAT_COMPLETED", at: time(20)))
            #expect(view.history.map(\.state) == [.queued, .submitting, .tracking, .tracking, .succeeded])
            #expect(view.history.compactMap(\.remoteStatus?.code) == [1, 8, 10])
            let stored = try #require(try await store.stored(id: queued.id))
            #expect(stored.remoteSnapshot == snapshot)
            #expect(stored.timing == RemoteTiming(startTime: time(10), durationMS: 532003))
            // No longer tracking: nothing more is recorded.
            #expect(try await !store.recordRemoteStatus(id: queued.id, status: RemoteStatus(code: 11, name: "X")))
        }
    }

    @Test(arguments: StoreKind.available) func retryResetsTheBudgetAndQueuesAtOnce(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let queued = try await create(store, newSubmission())
            _ = try await store.transition(id: queued.id, from: .queued, to: .submitting, attempt: .begin(at: time(1)))
            _ = try await store.transition(
                id: queued.id, from: .submitting, to: .rejected,
                attempt: .finish(AttemptResult(finishedAt: time(2), outcome: "permanent", httpStatus: 400)),
                reason: "ModelArts.0103: bad parameter", at: time(2))
            let requeued = try #require(
                try await store.transition(
                    id: queued.id, from: .rejected, to: .queued,
                    changes: SubmissionChanges(nextAttemptAt: time(60), resetBudget: true),
                    reason: "retry requested by alice", at: time(60)))
            #expect(requeued.nextAttemptAt == time(60))
            let stored = try #require(try await store.stored(id: queued.id))
            #expect(stored.attemptCount == 0)
            #expect(stored.budgetStartedAt == time(60))
            // The old attempt stays in the story; the next one is number 2.
            let next = try #require(
                try await store.transition(
                    id: queued.id, from: .queued, to: .submitting, attempt: .begin(at: time(61)), at: time(61)))
            #expect(next.attempts.map(\.number) == [1, 2])
            #expect(try await store.stored(id: queued.id)?.attemptCount == 1)
        }
    }
}
