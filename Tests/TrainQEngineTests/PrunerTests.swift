import Foundation
import Synchronization
import Testing
import TrainQAPI
import TrainQStore

@testable import TrainQEngine

/// Retention as a service: time moves forward, and what aged out is gone while the rest stays.
@Suite struct PrunerTests {
    /// A clock the test moves.
    final class TestClock: Sendable {
        private let value: Mutex<Date>
        init(_ start: Date) { value = Mutex(start) }
        var now: Date { value.withLock { $0 } }
        func advance(days: Double) { value.withLock { $0 = $0.addingTimeInterval(days * 86_400) } }
    }

    @Test func timeMovesForwardAndEndedSubmissionsAgeOut() async throws {
        try await EngineHarness.with { harness in
            let clock = TestClock(Date())
            let pruner = Pruner(
                store: harness.store, configuration: RetentionConfiguration(terminal: .seconds(30 * 86_400), batchSize: 2),
                now: { clock.now }, logger: EngineHarness.quietLogger())
            var ended: [String] = []
            for _ in 0..<5 {
                let id = try await harness.submit()
                _ = try await harness.store.transition(id: id, from: .queued, to: .canceled, at: clock.now)
                ended.append(id)
            }
            let live = try await harness.submit(jobID: 11)
            let attention = try await harness.submit(jobID: 12)
            _ = try await harness.store.transition(id: attention, from: .queued, to: .submitting, attempt: .begin(at: clock.now))
            _ = try await harness.store.transition(id: attention, from: .submitting, to: .reconciling)
            _ = try await harness.store.transition(id: attention, from: .reconciling, to: .needsAttention)

            // Day 29: nothing has aged out.
            clock.advance(days: 29)
            #expect(await pruner.prune() == 0)
            // One ended on day 29 as well.
            let late = try await harness.submit(jobID: 13)
            _ = try await harness.store.transition(id: late, from: .queued, to: .canceled, at: clock.now)

            // Day 31: the five from day 0 go, in batches of two; everything else stays.
            clock.advance(days: 2)
            #expect(await pruner.prune() == 5)
            for id in ended { #expect(try await harness.store.submission(id: id) == nil) }
            for id in [live, attention, late] { #expect(try await harness.store.submission(id: id) != nil) }

            // Day 400: the late one goes too; a live and a needs_attention submission never do.
            clock.advance(days: 369)
            #expect(await pruner.prune() == 1)
            #expect(try await harness.store.submission(id: late) == nil)
            #expect(try await harness.store.submission(id: live)?.state == .queued)
            #expect(try await harness.store.submission(id: attention)?.state == .needsAttention)
            let events = try await harness.store.events(after: 0, limit: 1_000).events
            #expect(Set(events.map(\.submission)) == [live, attention])
            #expect(try await harness.store.footprint().freeBytes == 0)
        }
    }

    @Test func withoutARetentionNothingIsDeleted() async throws {
        try await EngineHarness.with { harness in
            let pruner = Pruner(
                store: harness.store, configuration: RetentionConfiguration(terminal: nil),
                now: { Date().addingTimeInterval(10 * 365 * 86_400) }, logger: EngineHarness.quietLogger())
            let id = try await harness.submit()
            _ = try await harness.store.transition(id: id, from: .queued, to: .canceled)
            #expect(await pruner.prune() == 0)
            #expect(try await harness.store.submission(id: id) != nil)
        }
    }
}
