import Foundation
import Testing
import TrainQAPI

@testable import TrainQStore

@Suite struct EventTests {
    @Test(arguments: StoreKind.available) func eventsFilterBySubmissionAndJobAndRespectTheLimit(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let a = try await create(store, newSubmission(jobID: 10, description: "a"))
            let b = try await create(store, newSubmission(jobID: 11, description: "b"))
            _ = try await store.transition(id: a.id, from: .queued, to: .canceled)
            _ = try await store.transition(id: b.id, from: .queued, to: .canceled)

            let ofA = try await store.events(after: 0, submission: a.id)
            #expect(ofA.events.map(\.seq) == [1, 3])
            #expect(ofA.lastSeq == 4)
            let ofJob11 = try await store.events(after: 0, jobID: 11)
            #expect(ofJob11.events.map(\.seq) == [2, 4])
            #expect(ofJob11.events.allSatisfy { $0.jobID == 11 && $0.submission == b.id })
            let limited = try await store.events(after: 1, limit: 2)
            #expect(limited.events.map(\.seq) == [2, 3])
            #expect(try await store.events(after: 4).events.isEmpty)
        }
    }

    @Test func waitForEventsWakesOnACommit() async throws {
        try await withStore { store, _ async throws in
            let first = try await create(store, newSubmission())
            let last = await store.lastSequence()
            #expect(await store.waitForEvents(after: last - 1, timeout: .seconds(30)))

            let waiter = Task { await store.waitForEvents(after: last, timeout: .seconds(60)) }
            // Wait (bounded) until the waiter is parked, then commit an event.
            #expect(try await eventually { await store.eventWaiters.count == 1 })
            _ = try await store.transition(id: first.id, from: .queued, to: .canceled)
            #expect(await waiter.value)
            #expect(await store.eventWaiters.isEmpty)
        }
    }

    @Test func waitForEventsTimesOutWithoutNews() async throws {
        try await withStore { store, _ async throws in
            _ = try await create(store, newSubmission())
            let last = await store.lastSequence()
            #expect(await !store.waitForEvents(after: last, timeout: .milliseconds(50)))
            #expect(await store.eventWaiters.isEmpty)
        }
    }

    @Test func cancellingAWaitEndsIt() async throws {
        try await withStore { store, _ async throws in
            let waiter = Task { await store.waitForEvents(after: 0, timeout: .seconds(600)) }
            #expect(try await eventually { await store.eventWaiters.count == 1 })
            waiter.cancel()
            #expect(await !waiter.value)
            #expect(await store.eventWaiters.isEmpty)
        }
    }

    @Test func closingTheStoreReleasesWaiters() async throws {
        try await withStore { store, _ async throws in
            let waiter = Task { await store.waitForEvents(after: 0, timeout: .seconds(600)) }
            #expect(try await eventually { await store.eventWaiters.count == 1 })
            await store.close()
            #expect(await !waiter.value)
        }
    }

    @Test func manyWaitersAllWakeOnOneCommit() async throws {
        try await withStore { store, _ async throws in
            let waiters = (0..<20).map { _ in Task { await store.waitForEvents(after: 0, timeout: .seconds(60)) } }
            #expect(try await eventually { await store.eventWaiters.count == 20 })
            _ = try await create(store, newSubmission())
            for waiter in waiters {
                #expect(await waiter.value)
            }
        }
    }
}
