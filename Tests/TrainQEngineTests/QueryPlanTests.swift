import Foundation
import JSONTree
import Testing
import TrainQAPI

@testable import TrainQEngine
@testable import TrainQStore

/// Every query the store has run for the API, the submitter, the reconciler and the tracker keeps its
/// plan on an index: a full scan of a table would grow with the history a host keeps. The workload is
/// real (the engine against the simulator, then the API's reads), and the statements checked are the
/// ones the store actually compiled, so a new query cannot slip past the list.
@Suite struct QueryPlanTests {
    /// Scans that are fine, and why. Each names the statement by a fragment of its SQL.
    static let allowedScans: [(fragment: String, reason: String)] = [
        ("FROM events_high_water", "the newest seq retention deleted: a table of one row"),
    ]

    @Test func everyQueryTheDaemonRunsUsesAnIndex() async throws {
        try await EngineHarness.with { harness in
            let engine = harness.makeEngine()
            try await harness.running(engine) { _ in
                let ids = [try await harness.submit(), try await harness.submit(), try await harness.submit(jobID: 11)]
                _ = try await harness.waitForAll(ids, in: Set(SubmissionState.allCases.filter(\.isTerminal)))
            }
            let store = harness.store
            // The API's reads, with every filter, a second page, and a batch.
            let owner = try #require(try await store.submission(id: try await store.list(SubmissionQuery(limit: 1)).submissions[0].id)?.owner)
            let batch = (0..<3).map { _ in
                NewSubmission(owner: owner, projectID: EngineHarness.projectID, jobID: 12, request: EngineHarness.sampleRequest())
            }
            _ = try await store.insertBatch(batch, idempotencyKey: "plan")
            _ = try await store.insertBatch(batch, idempotencyKey: "plan")
            let first = try await store.list(SubmissionQuery(limit: 2))
            _ = try await store.list(SubmissionQuery(limit: 2, cursor: first.nextCursor))
            _ = try await store.list(SubmissionQuery(state: .succeeded, limit: 2))
            _ = try await store.list(SubmissionQuery(jobID: 10, limit: 2))
            _ = try await store.list(SubmissionQuery(ownerUID: owner.uid, limit: 2))
            _ = try await store.list(SubmissionQuery(state: .queued, jobID: 12, ownerUID: owner.uid, limit: 2))
            _ = try await store.events(after: 0, submission: first.submissions[0].id)
            _ = try await store.events(after: 0, jobID: 10)
            _ = try await store.countsByState()
            _ = try await store.oldestDue(now: Date())
            _ = try await store.footprint()
            _ = try await store.pruneEnded(before: Date().addingTimeInterval(3600), limit: 10)

            let plans = try await store.withConnection { connection in
                try connection.cachedStatementTexts.sorted().compactMap { sql -> (String, [String])? in
                    let verb = sql.trimmingCharacters(in: .whitespacesAndNewlines).prefix(6).uppercased()
                    guard ["SELECT", "UPDATE", "DELETE", "WITH R", "WITH ", "INSERT"].contains(where: { verb.hasPrefix($0) }) else { return nil }
                    let explain = try connection.prepare("EXPLAIN QUERY PLAN " + sql)
                    var details: [String] = []
                    while try explain.step() {
                        details.append(explain.string(3) ?? "")
                    }
                    return (sql, details)
                }
            }
            #expect(plans.count >= 15, "the workload should have compiled most of the store's queries: \(plans.count)")
            #expect(plans.contains { $0.0.contains("INSERT INTO submissions") } && plans.contains { $0.0.contains("UPDATE submissions") })
            for (sql, details) in plans {
                let scans = details.filter(Self.isFullScan)
                guard !scans.isEmpty, !Self.allowedScans.contains(where: { sql.contains($0.fragment) }) else { continue }
                Issue.record("a full scan: \(scans) in\n\(sql)")
            }
        }
    }

    /// `SCAN t` without an index is a pass over the whole table; `SCAN t USING [COVERING] INDEX i` walks
    /// an index, and constant rows (`SCAN CONSTANT ROW`) or a CTE's own rows are not tables.
    static func isFullScan(_ detail: String) -> Bool {
        guard detail.hasPrefix("SCAN ") else { return false }
        if detail.contains("USING INDEX") || detail.contains("USING COVERING INDEX") || detail.contains("USING INTEGER PRIMARY KEY") {
            return false
        }
        // A subquery's or a CTE's own rows are already bounded by the query that made them.
        return !detail.hasPrefix("SCAN CONSTANT ROW") && !detail.hasPrefix("SCAN heads") && !detail.hasPrefix("SCAN (subquery")
    }
}
