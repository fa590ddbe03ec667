import Foundation
import JSONTree
import Testing
@testable import ModelArtsSimulator

/// Statuses are computed on demand, so a large population needs no timers and stays consistent.
@Suite struct ManyVersionsTests {
    @Test func tenThousandVersionsAreCreatedListedAndLedgered() async throws {
        var now: Int64 = 1_000_000
        let clock = ClockBox(now)
        let cloud = SimulatedCloud(configuration: .init(timeScale: 1), clock: { clock.read() })
        var previous: Int64 = 20
        for _ in 0..<10_000 {
            let draft = SimulatedCloud.VersionDraft(jobID: 10, jobDesc: "bulk", preVersionID: previous, config: .object([:]))
            previous = try await cloud.createVersion(draft).1.versionID
        }
        #expect(previous == 10_020)
        let (_, versions) = try await cloud.versions(ofJob: 10)
        #expect(versions.count == 10_001)
        #expect(versions.first?.versionName == "V10001")
        #expect(Pagination(page: 10, perPage: 1_000).apply(to: versions).last?.versionID == 21)
        #expect(Pagination(page: 11, perPage: 1_000).apply(to: versions).map(\.versionID) == [20])

        // Two minutes later (time scale 1) every one of them has completed, without any work in between.
        now += 120_000
        clock.set(now)
        let ledger = await cloud.ledger()
        #expect(ledger.versions.count == 10_000)
        #expect(ledger.versions.allSatisfy { $0.status == 10 })
    }
}
