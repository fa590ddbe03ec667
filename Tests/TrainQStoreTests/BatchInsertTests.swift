import Foundation
import JSONTree
import Testing
import TrainQAPI

@testable import TrainQStore

/// `POST /v1/submissions/batch` in the store: all items in one transaction or none, and one
/// idempotency key for the whole batch.
@Suite struct BatchInsertTests {
    private func batch(_ count: Int, owner: Owner = alice, tag: String = "item") -> [NewSubmission] {
        (0..<count).map { newSubmission(owner: owner, description: "\(tag) \($0)") }
    }

    @Test(arguments: StoreKind.available) func everyItemIsStoredInOrderWithItsOwnEvent(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let outcome = try await store.insertBatch(batch(6), idempotencyKey: nil)
            guard case .created(let views) = outcome else { Issue.record("expected created, got \(outcome)"); return }
            #expect(views.map { $0.request["job_desc"]?.stringValue } == (0..<6).map { "item \($0)" })
            #expect(Set(views.map(\.id)).count == 6)
            // Ids ascend in the batch's order, so listing by id keeps the order the user asked for.
            #expect(views.map(\.id) == views.map(\.id).sorted())
            for view in views {
                #expect(try await store.submission(id: view.id) == view)
            }
            #expect(try await count("submissions", in: store) == 6)
            #expect(try await store.events(after: 0).events.map(\.submission) == views.map(\.id))
        }
    }

    @Test(arguments: StoreKind.available) func theSameKeyAndBatchReplaysAndAnythingElseConflicts(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            guard case .created(let first) = try await store.insertBatch(batch(3), idempotencyKey: "sweep-1") else {
                Issue.record("the first batch was not created"); return
            }
            let again = try await store.insertBatch(batch(3), idempotencyKey: "sweep-1")
            #expect(again == .replayed(first))

            // Another item, the items in another order, one item fewer: not the same batch.
            let longer = try await store.insertBatch(batch(4), idempotencyKey: "sweep-1")
            #expect(longer == .idempotencyConflict(existingID: first[0].id))
            let reordered = try await store.insertBatch(batch(3).reversed(), idempotencyKey: "sweep-1")
            #expect(reordered == .idempotencyConflict(existingID: first[0].id))
            let shorter = try await store.insertBatch(batch(2), idempotencyKey: "sweep-1")
            #expect(shorter == .idempotencyConflict(existingID: first[0].id))

            // A single request under the batch's key is not that batch, even with the first item's body.
            let single = try await store.insert(NewSubmission(
                owner: alice, projectID: projectID, jobID: 10, request: sampleRequest("item 0"), idempotencyKey: "sweep-1", at: baseTime))
            #expect(single == .idempotencyConflict(existingID: first[0].id))
            // And a batch under a single request's key is not that request.
            let lone = try await create(store, newSubmission(description: "item 0", key: "lone"))
            let overLone = try await store.insertBatch(batch(1), idempotencyKey: "lone")
            #expect(overLone == .idempotencyConflict(existingID: lone.id))

            // Keys are per owner, and a key that merely starts with another is its own key.
            #expect(try await store.insertBatch(batch(3, owner: bob), idempotencyKey: "sweep-1").isCreated)
            #expect(try await store.insertBatch(batch(3), idempotencyKey: "sweep-10").isCreated)
            #expect(try await store.insertBatch(batch(3), idempotencyKey: "sweep-").isCreated)
            #expect(try await count("submissions", in: store) == 3 + 1 + 3 + 3 + 3)
        }
    }

    @Test func aBatchThatDoesNotFitStoresNothing() async throws {
        try await withStore { store, _ async throws in
            let kept = try await create(store, newSubmission(description: "kept"))
            try await store.withConnection { connection in
                let pages = try connection.scalarInt64("PRAGMA page_count") ?? 0
                _ = try connection.scalarInt64("PRAGMA max_page_count = \(pages + 2)")
            }
            // Each item needs a page or more: the first ones fit, the later ones do not.
            let bulky = (0..<40).map { index in
                var new = newSubmission(description: "bulky \(index)")
                new.request = .object([
                    "job_desc": .string("bulky \(index)"),
                    "config": .object(["padding": .string(String(repeating: "x", count: 8 * 1024))]),
                ])
                return new
            }
            let error = try await #require(throws: StoreError.self) {
                try await store.insertBatch(bulky, idempotencyKey: "big")
            }
            #expect(error.kind == .unavailable)
            #expect(try await count("submissions", in: store) == 1)
            #expect(try await store.events(after: 0).events.map(\.submission) == [kept.id])

            // With room again the same batch (same key) is stored whole: the failure left no trace.
            try await store.withConnection { connection in
                _ = try connection.scalarInt64("PRAGMA max_page_count = 1073741823")
            }
            #expect(try await store.insertBatch(bulky, idempotencyKey: "big").isCreated)
            #expect(try await count("submissions", in: store) == 41)
        }
    }

    @Test func aReplayAfterRetentionForgotSomeItemsAnswersTheRest() async throws {
        try await withStore { store, _ async throws in
            guard case .created(let first) = try await store.insertBatch(batch(3), idempotencyKey: "old") else {
                Issue.record("the batch was not created"); return
            }
            try await store.withConnection { connection in
                try StoreTables(connection: connection).deleteSubmissions(ids: [first[0].id])
            }
            let again = try await store.insertBatch(batch(3), idempotencyKey: "old")
            #expect(again == .replayed(Array(first.dropFirst())))
        }
    }
}

extension BatchInsertOutcome {
    var isCreated: Bool {
        if case .created = self { true } else { false }
    }
}
