import Foundation
import JSONTree
import Testing
import TrainQAPI

@testable import TrainQStore

@Suite struct InsertTests {
    @Test(arguments: StoreKind.available) func insertedSubmissionReadsBackIdentically(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let view = try await create(store, newSubmission(key: "k1"))
            #expect(view.id.count == 26)
            #expect(view.state == .queued)
            #expect(view.owner == alice)
            #expect(view.projectID == projectID)
            #expect(view.jobID == 10)
            #expect(view.request == sampleRequest())
            #expect(view.createdAt == baseTime)
            #expect(view.updatedAt == baseTime)
            #expect(view.nextAttemptAt == baseTime)
            #expect(view.attempts.isEmpty)
            #expect(view.versionID == nil && view.remoteStatus == nil)
            #expect(view.history.count == 1)
            #expect(view.history.first?.state == .queued)

            let read = try await store.submission(id: view.id)
            #expect(read == view)
            #expect(try await store.submission(id: "no-such-id") == nil)

            let stored = try #require(try await store.stored(id: view.id))
            #expect(stored.attemptCount == 0)
            #expect(stored.budgetStartedAt == baseTime)
        }
    }

    /// The page cost of an insert (issue #12): a commit of one submission writes one WAL page per B-tree it
    /// touches (the row, the id, five listing and queue indexes, the event and its two indexes) and now and
    /// then a page of the file's own bookkeeping as it grows. Schema step 10 took `sqlite_sequence` out.
    @Test func aSingleInsertWritesAboutOnePagePerTreeItTouches() async throws {
        try await withStore { store, _ async throws in
            _ = try await create(store, newSubmission(jobID: 9))
            let before = try await store.footprint()
            let inserts = 50
            for index in 0..<inserts {
                _ = try await create(store, newSubmission(jobID: Int64(10 + index % 5)))
            }
            let after = try await store.footprint()
            let commits = try #require(after.commits) - (before.commits ?? 0)
            let pages = try #require(after.walPagesWritten) - (before.walPagesWritten ?? 0)
            #expect(commits == Int64(inserts))
            let perInsert = Double(pages) / Double(inserts)
            // 10.4 measured; a page more per commit (say, `sqlite_sequence` back) is over the bound.
            #expect(perInsert >= 9.5 && perInsert < 11, "WAL pages per single insert: \(perInsert)")
        }
    }

    @Test func theRequestIsStoredAsCanonicalBytes() async throws {
        try await withStore { store, _ async throws in
            let view = try await create(store, newSubmission())
            let bytes = try await store.withConnection { connection in
                let select = try connection.prepare("SELECT request FROM submissions WHERE id = ?")
                try select.bind(view.id, at: 1)
                _ = try select.step()
                return select.data(0)
            }
            #expect(bytes == sampleRequest().canonicalData())
        }
    }

    @Test func dataSurvivesCloseAndReopen() async throws {
        try await withTemporaryDirectory { directory async throws in
            let path = directory.appendingPathComponent("trainq.db").path
            let first = try SubmissionStore(path: path, logger: testLogger)
            let a = try await create(first, newSubmission(description: "a", at: time(0)))
            let b = try await create(first, newSubmission(description: "b", at: time(1)))
            await first.close()
            await #expect(throws: StoreError.self) { try await first.submission(id: a.id) }

            let second = try SubmissionStore(path: path, logger: testLogger)
            #expect(try await second.submission(id: a.id) == a)
            #expect(try await second.submission(id: b.id) == b)
            #expect(await second.lastSequence() == 2)
            // Ids stay increasing across restarts.
            let c = try await create(second, newSubmission(description: "c", at: time(2)))
            #expect(c.id > b.id)
            #expect(c.history.first?.seq == 3)
            await second.close()
        }
    }

    @Test(arguments: StoreKind.available) func sameKeySameBodyReplaysAndDifferentBodyConflicts(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let original = try await create(store, newSubmission(key: "once"))

            let again = try await store.insert(newSubmission(key: "once", at: time(5)))
            #expect(again.replayed == original)

            // Same key, another request body.
            let otherBody = try await store.insert(newSubmission(description: "another", key: "once"))
            #expect(otherBody == .idempotencyConflict(existingID: original.id))
            // Same key, same body, another job: also a different request.
            let otherJob = try await store.insert(newSubmission(jobID: 11, key: "once"))
            #expect(otherJob == .idempotencyConflict(existingID: original.id))

            #expect(try await count("submissions", in: store) == 1)
            #expect(try await count("events", in: store) == 1)
        }
    }

    @Test(arguments: StoreKind.available) func sameKeyForTwoOwnersIsTwoSubmissions(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let fromAlice = try await create(store, newSubmission(owner: alice, key: "shared"))
            let fromBob = try await create(store, newSubmission(owner: bob, key: "shared"))
            #expect(fromAlice.id != fromBob.id)
            #expect(fromBob.owner == bob)
            #expect(try await store.insert(newSubmission(owner: bob, key: "shared")).replayed == fromBob)
        }
    }

    @Test(arguments: StoreKind.available) func withoutAKeyEveryInsertIsNew(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let first = try await create(store, newSubmission())
            let second = try await create(store, newSubmission())
            #expect(first.id != second.id)
            #expect(first.id < second.id)
        }
    }

    @Test func idsAreTimeSortableULIDs() {
        var generator = SubmissionIDGenerator()
        let early = generator.next(at: Date(timeIntervalSince1970: 1))
        let sameMillisecond = generator.next(at: Date(timeIntervalSince1970: 1))
        let late = generator.next(at: Date(timeIntervalSince1970: 2))
        #expect(early < sameMillisecond)
        #expect(sameMillisecond < late)
        let alphabet = Set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        #expect([early, sameMillisecond, late].allSatisfy { $0.count == 26 && $0.allSatisfy(alphabet.contains) })
        // The first ten characters are the millisecond timestamp: 1000 ms is "000000000Z" + "8" (1000 = 31*32+8).
        #expect(early.hasPrefix("00000000Z8"))
        #expect(SubmissionIDGenerator.encode(milliseconds: 0, random: (0, 0)) == String(repeating: "0", count: 26))
        #expect(
            SubmissionIDGenerator.encode(milliseconds: 0xFFFF_FFFF_FFFF, random: (0xFFFF, .max))
                == "7" + String(repeating: "Z", count: 25))
    }
}
