import Foundation
import Testing
import TrainQAPI

@testable import TrainQStore

@Suite struct RecoveryTests {
    @Test func submittingRowsBecomeReconcilingAfterARestart() async throws {
        try await withTemporaryDirectory { directory async throws in
            let path = directory.appendingPathComponent("trainq.db").path
            let before = try SubmissionStore(path: path, logger: testLogger)
            let inFlight = try await create(before, newSubmission(jobID: 10, description: "in flight"))
            let waiting = try await create(before, newSubmission(jobID: 11, description: "waiting"))
            _ = try await before.transition(
                id: inFlight.id, from: .queued, to: .submitting, attempt: .begin(at: time(1)), at: time(1))
            // The daemon dies here: the attempt was recorded, its outcome never was.
            await before.close()

            let after = try SubmissionStore(path: path, logger: testLogger)
            let recovered = try await after.recoverOrphans(at: time(100))
            #expect(recovered == [inFlight.id])
            let view = try #require(try await after.submission(id: inFlight.id))
            #expect(view.state == .reconciling)
            #expect(view.reason == SubmissionStore.orphanReason)
            #expect(view.attempts == [
                AttemptView(number: 1, startedAt: time(1), finishedAt: time(100), outcome: "interrupted")
            ])
            #expect(view.history.map(\.state) == [.queued, .submitting, .reconciling])
            #expect(view.history.last?.reason == "daemon restarted during an attempt")
            #expect(try await after.submission(id: waiting.id)?.state == .queued)
            // Nothing left to recover.
            #expect(try await after.recoverOrphans(at: time(101)).isEmpty)
            await after.close()
        }
    }
}
