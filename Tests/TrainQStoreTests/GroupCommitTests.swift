import Foundation
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
            let gate = DispatchSemaphore(value: 0)
            let holding = Flag()
            // Hold the store's thread so the inserts pile up behind it.
            let blocker = Task {
                try await store.withConnection { _ in
                    holding.set()
                    gate.wait()
                }
            }
            #expect(try await eventually { holding.isSet })
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
            let gate = DispatchSemaphore(value: 0)
            let holding = Flag()
            let blocker = Task {
                try await store.withConnection { _ in
                    holding.set()
                    gate.wait()
                }
            }
            #expect(try await eventually { holding.isSet })
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
}
