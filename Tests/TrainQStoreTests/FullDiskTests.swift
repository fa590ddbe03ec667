import CSQLite
import Foundation
import JSONTree
import Testing
import TrainQAPI

@testable import TrainQStore

@Suite struct FullDiskTests {
    /// A request big enough to need new pages.
    private func bulky(_ index: Int) -> NewSubmission {
        var new = newSubmission(description: "bulky \(index)", at: time(Double(100 + index)))
        new.request = .object([
            "job_desc": .string("bulky \(index)"),
            "config": .object(["padding": .string(String(repeating: "x", count: 64 * 1024))]),
        ])
        return new
    }

    @Test func aFullDiskIsUnavailableAndEarlierRowsSurviveAndSpaceBringsItBack() async throws {
        try await withTemporaryDirectory { directory async throws in
            let path = directory.appendingPathComponent("trainq.db").path
            let store = try SubmissionStore(path: path, logger: testLogger)
            let kept = try await create(store, newSubmission(description: "kept"))

            // The file may not grow beyond what it has now.
            try await store.withConnection { connection in
                let pages = try connection.scalarInt64("PRAGMA page_count") ?? 0
                _ = try connection.scalarInt64("PRAGMA max_page_count = \(pages)")
            }
            let error = try await #require(throws: StoreError.self) { try await store.insert(bulky(0)) }
            #expect(error.kind == .unavailable)
            #expect(error.sqlite?.resultCode == SQLITE_FULL)

            // A whole batch fails together, and nothing of it is stored.
            let results = await withTaskGroup(of: Bool.self) { group in
                for index in 1...10 {
                    group.addTask { (try? await store.insert(bulky(index))) == nil }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0 })
            #expect(try await count("submissions", in: store) == 1)
            #expect(try await store.submission(id: kept.id) == kept)

            // Space again: the same store takes writes.
            try await store.withConnection { connection in
                _ = try connection.scalarInt64("PRAGMA max_page_count = 1073741823")
            }
            let after = try await create(store, bulky(11))
            await store.close()

            let reopened = try SubmissionStore(path: path, logger: testLogger)
            #expect(try await count("submissions", in: reopened) == 2)
            #expect(try await reopened.submission(id: kept.id) == kept)
            #expect(try await reopened.submission(id: after.id)?.state == .queued)
            // The failed inserts left no events either.
            #expect(try await reopened.events(after: 0).events.map(\.submission) == [kept.id, after.id])
            await reopened.close()
        }
    }
}
