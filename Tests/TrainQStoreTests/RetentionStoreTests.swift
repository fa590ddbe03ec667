import Foundation
import JSONTree
import Testing
import TrainQAPI

@testable import TrainQStore

/// Retention in the store: what goes, what stays, and that the file gives the space back.
@Suite struct RetentionStoreTests {
    @Test(arguments: StoreKind.available) func endedSubmissionsGoWithTheirAttemptsAndEventsAndNothingElseDoes(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            // Ended at time 10: a canceled one, and a succeeded one with an attempt and remote statuses.
            let canceled = try await create(store, newSubmission(description: "canceled"))
            _ = try await store.transition(id: canceled.id, from: .queued, to: .canceled, at: time(10))
            let succeeded = try await create(store, newSubmission(jobID: 11, description: "succeeded"))
            _ = try await store.transition(id: succeeded.id, from: .queued, to: .submitting, attempt: .begin(at: time(5)), at: time(5))
            _ = try await store.transition(
                id: succeeded.id, from: .submitting, to: .tracking,
                changes: SubmissionChanges(version: CreatedVersion(id: 21, name: "V0002", createdAt: time(6))),
                attempt: .finish(AttemptResult(finishedAt: time(6), outcome: "created")), at: time(6))
            _ = try await store.transition(id: succeeded.id, from: .tracking, to: .succeeded, at: time(10))
            // Never pruned, however old: a person must look at it.
            let attention = try await create(store, newSubmission(jobID: 12, description: "attention"))
            _ = try await store.transition(id: attention.id, from: .queued, to: .submitting, attempt: .begin(at: time(5)), at: time(5))
            _ = try await store.transition(id: attention.id, from: .submitting, to: .reconciling, at: time(6))
            _ = try await store.transition(id: attention.id, from: .reconciling, to: .needsAttention, at: time(7))
            // Live, and old.
            let queued = try await create(store, newSubmission(jobID: 13, description: "queued"))
            // Ended, but after the cutoff.
            let recent = try await create(store, newSubmission(jobID: 14, description: "recent"))
            _ = try await store.transition(id: recent.id, from: .queued, to: .canceled, at: time(100))

            let lastSequence = try await store.lastSequence()
            #expect(try await store.pruneEnded(before: time(50), limit: 1) == 1)
            #expect(try await store.pruneEnded(before: time(50), limit: 10) == 1)
            #expect(try await store.pruneEnded(before: time(50), limit: 10) == 0)

            #expect(try await store.submission(id: canceled.id) == nil)
            #expect(try await store.submission(id: succeeded.id) == nil)
            for kept in [attention, queued, recent] {
                let view = try #require(try await store.submission(id: kept.id))
                #expect(!view.history.isEmpty)
            }
            let events = try await store.events(after: 0, limit: 1_000).events
            #expect(Set(events.map(\.submission)) == [attention.id, queued.id, recent.id])
            #expect(try await count("attempts", in: store) == 1)
            // The sequence does not go back: a follower's `after` keeps its meaning.
            #expect(try await store.lastSequence() == lastSequence)
            #expect(try await store.footprint().oldestCreatedAt != nil)
        }
    }

    /// Retention may delete the newest events of all (an idle host whose last submission ended long ago).
    /// The next event still gets a seq above every one a follower has seen.
    @Test(arguments: StoreKind.available) func aSequenceIsNotHandedOutAgainAfterTheNewestEventsArePruned(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let ended = try await create(store, newSubmission(description: "ended"))
            _ = try await store.transition(id: ended.id, from: .queued, to: .canceled, at: time(10))
            let highest = try await store.lastSequence()
            #expect(try await store.pruneEnded(before: time(50), limit: 10) == 1)
            #expect(try await store.events(after: 0, limit: 10).events.isEmpty)
            #expect(try await store.lastSequence() == highest)

            let next = try await create(store, newSubmission(jobID: 11, description: "next"))
            let seq = try #require(next.history.first?.seq)
            #expect(seq > highest)
            #expect(try await store.lastSequence() == seq)
        }
    }

    @Test func theFileGivesTheSpaceBack() async throws {
        try await withStore { store, path async throws in
            let autoVacuum = try await store.withConnection { try $0.scalarInt64("PRAGMA auto_vacuum") }
            #expect(autoVacuum == 2)  // INCREMENTAL
            let padding = String(repeating: "x", count: 200)
            for index in 0..<600 {
                let view = try await create(store, newSubmission(jobID: Int64(index), description: "\(index) \(padding)"))
                _ = try await store.transition(id: view.id, from: .queued, to: .canceled, at: time(10))
            }
            let before = try await store.footprint()
            var deleted = 0
            for _ in 0..<100 {
                let batch = try await store.pruneEnded(before: time(50), limit: 100)
                deleted += batch
                if batch == 0 { break }
            }
            #expect(deleted == 600)
            #expect(try await store.footprint().freeBytes > 0)
            for _ in 0..<100 where try await store.releaseFreePages(100) > 0 {}
            let after = try await store.footprint()
            #expect(after.freeBytes == 0)
            #expect(after.bytes < before.bytes / 2, "\(before.bytes) bytes before, \(after.bytes) after")
            #expect(after.oldestCreatedAt == nil)
            // The file on disk shrank too, once the WAL is checkpointed.
            _ = try await store.withConnection { try $0.scalarInt64("PRAGMA wal_checkpoint(TRUNCATE)") }
            let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber).int64Value
            #expect(size == after.bytes)
        }
    }

    @Test func anOlderFileIsRewrittenOnceToGiveSpaceBack() async throws {
        try await withTemporaryDirectory { directory async throws in
            let path = directory.appendingPathComponent("old.db").path
            // A file as earlier releases made it: no auto_vacuum.
            do {
                let connection = try SQLiteConnection(path: path)
                _ = try StoreSchema.migrator.migrate(connection)
                #expect(try connection.scalarInt64("PRAGMA auto_vacuum") == 0)
                connection.close()
            }
            let store = try SubmissionStore(path: path, logger: testLogger)
            #expect(try await store.withConnection { try $0.scalarInt64("PRAGMA auto_vacuum") } == 2)
            await store.close()
        }
    }
}
