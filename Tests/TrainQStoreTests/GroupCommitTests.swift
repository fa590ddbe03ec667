import Foundation
import Synchronization
import Testing
import TrainQAPI

@testable import TrainQStore

@Suite struct GroupCommitTests {
    @Test func manyConcurrentInsertsAreAllDurable() async throws {
        try await withTemporaryDirectory { directory async throws in
            let path = directory.appendingPathComponent("trainq.db").path
            let store = try SubmissionStore(path: path, logger: testLogger)
            let total = 300
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<total {
                    group.addTask {
                        try await create(store, newSubmission(description: "burst \(index)", at: time(Double(index)))).id
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == total)
            let batches = await store.insertBatchesCommitted
            #expect(batches >= 1 && batches <= total)
            await store.close()

            let reopened = try SubmissionStore(path: path, logger: testLogger)
            #expect(try await count("submissions", in: reopened) == Int64(total))
            #expect(try await count("events", in: reopened) == Int64(total))
            for id in ids {
                #expect(try await reopened.submission(id: id)?.state == .queued)
            }
            await reopened.close()
        }
    }

    @Test func insertsWaitingTogetherShareOneCommit() async throws {
        try await withStore { store, _ async throws in
            let waiting = 50
            // Hold the store's thread so the inserts pile up behind it.
            let (gate, blocker) = try await holdStoreThread(store)
            let inserts = (0..<waiting).map { index in
                Task { try await store.insert(newSubmission(description: "waiting \(index)", at: time(Double(index)))) }
            }
            #expect(try await eventually { store.queuedJobCount >= waiting })
            gate.signal()
            try await blocker.value
            var created = 0
            for insert in inserts {
                if try await insert.value.created != nil {
                    created += 1
                }
            }
            #expect(created == waiting)
            #expect(await store.insertBatchesCommitted == 1)
            #expect(try await count("submissions", in: store) == Int64(waiting))
        }
    }

    @Test func replaysWithinOneBatchSeeTheEarlierInsert() async throws {
        try await withStore { store, _ async throws in
            // Hold the store's thread so the inserts pile up behind it.
            let (gate, blocker) = try await holdStoreThread(store)
            let first = Task { try await store.insert(newSubmission(key: "same")) }
            #expect(try await eventually { store.queuedJobCount >= 1 })
            let second = Task { try await store.insert(newSubmission(key: "same")) }
            let conflicting = Task { try await store.insert(newSubmission(description: "other", key: "same")) }
            #expect(try await eventually { store.queuedJobCount >= 3 })
            gate.signal()
            try await blocker.value
            let created = try #require(try await first.value.created)
            #expect(try await second.value.replayed == created)
            #expect(try await conflicting.value == .idempotencyConflict(existingID: created.id))
            #expect(try await count("submissions", in: store) == 1)
        }
    }

    /// The event loop's form of insert: no task, the callback on the store's thread, inserts that wait
    /// together still share one commit, and each callback comes only after its row is stored.
    @Test func callbackInsertsFromAThreadWithoutATaskShareOneCommit() async throws {
        try await withStore { store, _ async throws in
            let waiting = 40
            // Hold the store's thread so the inserts pile up behind it.
            let (gate, blocker) = try await holdStoreThread(store)
            let outcomes = Mutex<[(outcome: InsertOutcome?, onStoreThread: Bool)]>([])
            let caller = Thread {
                for index in 0..<waiting {
                    store.insert(newSubmission(description: "callback \(index)", at: time(Double(index)))) { result in
                        outcomes.withLock { $0.append((try? result.get(), store.isOnStoreThread)) }
                    }
                }
            }
            caller.start()
            #expect(try await eventually { store.queuedJobCount >= waiting })
            #expect(outcomes.withLock { $0.isEmpty })
            gate.signal()
            try await blocker.value
            #expect(try await eventually { outcomes.withLock { $0.count } == waiting })
            let done = outcomes.withLock { $0 }
            #expect(done.allSatisfy { $0.onStoreThread })
            let ids = Set(done.compactMap { $0.outcome?.created?.id })
            #expect(ids.count == waiting)
            #expect(await store.insertBatchesCommitted == 1)
            for id in ids {
                #expect(try await store.submission(id: id)?.state == .queued)
            }
        }
    }

    @Test func aCallbackInsertIntoAClosedStoreFailsAtOnce() async throws {
        try await withStore { store, _ async throws in
            await store.close()
            let failure = Mutex<StoreError?>(nil)
            store.insert(newSubmission()) { result in
                if case .failure(let error) = result { failure.withLock { $0 = error as? StoreError } }
            }
            #expect(try await eventually { failure.withLock { $0 } != nil })
            #expect(failure.withLock { $0?.kind } == .closed)
        }
    }

    /// Occupies the store's thread until the gate is signalled; returns once it does.
    private func holdStoreThread(_ store: SubmissionStore) async throws -> (DispatchSemaphore, Task<Void, any Error>) {
        let gate = DispatchSemaphore(value: 0)
        let holding = Flag()
        let blocker = Task {
            try await store.withConnection { _ in
                holding.set()
                gate.wait()
            }
        }
        #expect(try await eventually { holding.isSet })
        return (gate, blocker)
    }
}
