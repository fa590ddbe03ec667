import Foundation
import Testing
import TrainQAPI

@testable import TrainQStore

@Suite struct ListTests {
    /// 30 submissions over two jobs and two owners; several share a creation millisecond so the
    /// id decides their order.
    private func fill(_ store: any SubmissionStorage) async throws -> [SubmissionView] {
        var views: [SubmissionView] = []
        for index in 0..<30 {
            views.append(
                try await create(
                    store,
                    newSubmission(
                        owner: index % 3 == 0 ? bob : alice, jobID: index % 2 == 0 ? 10 : 11,
                        description: "n\(index)", at: time(Double(index / 4)))))
        }
        return views
    }

    /// Follows `next_cursor` to the end (bounded).
    private func allPages(_ store: any SubmissionStorage, _ query: SubmissionQuery) async throws -> [[SubmissionView]] {
        var pages: [[SubmissionView]] = []
        var query = query
        for _ in 0..<100 {
            let page = try await store.list(query)
            pages.append(page.submissions)
            guard let cursor = page.nextCursor else { return pages }
            query.cursor = cursor
        }
        Issue.record("pagination did not end")
        return pages
    }

    @Test(arguments: StoreKind.available) func pagesAreNewestFirstWithoutDuplicatesOrGaps(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let views = try await fill(store)
            let pages = try await allPages(store, SubmissionQuery(limit: 7))
            #expect(pages.map(\.count) == [7, 7, 7, 7, 2])
            let listed = pages.flatMap { $0 }
            let expected = views.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
            #expect(listed.map(\.id) == expected.map(\.id))
            #expect(Set(listed.map(\.id)).count == 30)
            // Lists carry no history but the rest of the row.
            #expect(listed.allSatisfy { $0.history.isEmpty && $0.state == .queued })
        }
    }

    @Test(arguments: StoreKind.available) func filtersCombineWithPagination(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            let views = try await fill(store)
            let canceled = views.filter { $0.jobID == 11 }.prefix(6)
            for view in canceled {
                _ = try await store.transition(id: view.id, from: .queued, to: .canceled)
            }
            func check(_ query: SubmissionQuery, _ include: (SubmissionView) -> Bool) async throws {
                let listed = try await allPages(store, query).flatMap { $0 }
                let expected = views.filter(include).sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
                #expect(listed.map(\.id) == expected.map(\.id), "\(query)")
            }
            let canceledIDs = Set(canceled.map(\.id))
            try await check(SubmissionQuery(jobID: 10, limit: 4)) { $0.jobID == 10 }
            try await check(SubmissionQuery(ownerUID: bob.uid, limit: 3)) { $0.owner == bob }
            try await check(SubmissionQuery(state: .canceled, limit: 4)) { canceledIDs.contains($0.id) }
            try await check(SubmissionQuery(state: .queued, jobID: 11, ownerUID: alice.uid, limit: 2)) {
                !canceledIDs.contains($0.id) && $0.jobID == 11 && $0.owner == alice
            }
            try await check(SubmissionQuery(jobID: 99)) { _ in false }
        }
    }

    @Test(arguments: StoreKind.available) func aPageEndingExactlyAtTheLastRowHasNoCursor(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            for index in 0..<4 {
                _ = try await create(store, newSubmission(description: "\(index)", at: time(Double(index))))
            }
            let page = try await store.list(SubmissionQuery(limit: 4))
            #expect(page.submissions.count == 4)
            #expect(page.nextCursor == nil)
        }
    }

    @Test(arguments: StoreKind.available) func badCursorsAndLimitsAreDistinctErrors(_ kind: StoreKind) async throws {
        try await withStore(kind) { store async throws in
            _ = try await create(store, newSubmission())
            for cursor in ["", "not a cursor", "e30", "eyJjIjoxfQ", String(repeating: "A", count: 600), "////"] {
                let error = try await #require(throws: StoreError.self) {
                    try await store.list(SubmissionQuery(cursor: cursor))
                }
                #expect(error.kind == .invalidCursor, "\(cursor)")
            }
            let error = try await #require(throws: StoreError.self) {
                try await store.list(SubmissionQuery(limit: 0))
            }
            #expect(error.kind == .invalidQuery)
            // Above the maximum is lowered, not refused.
            #expect(try await store.list(SubmissionQuery(limit: 10_000)).submissions.count == 1)
        }
    }

    @Test func cursorsRoundTrip() throws {
        let cursor = ListCursor(createdAt: 1_796_000_000_123, id: "01JD9Z4K8Q3W")
        let text = cursor.encoded()
        #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
        #expect(try ListCursor(decoding: text) == cursor)
    }
}
