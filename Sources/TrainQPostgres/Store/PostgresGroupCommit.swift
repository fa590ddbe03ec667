import Foundation
import Synchronization
import TrainQAPI
import TrainQStore

/// An insert waiting for the next group commit, its request's canonical bytes and fingerprint worked out
/// on the caller's task.
struct PendingPostgresInsert: Sendable {
    let submission: NewSubmission
    let canonicalRequest: [UInt8]
    let fingerprint: Data

    /// The owner and key that two inserts of one batch must not share: the second waits for the next
    /// batch, so it is decided against the first's committed row (a replay with its history).
    var keyed: String? {
        submission.idempotencyKey.map { "\(submission.owner.uid)/\($0)" }
    }
}

/// Group commit for intake on PostgreSQL: inserts that arrive while a commit runs wait, and the next
/// transaction takes up to `maximumBatch` of them; each caller resumes after its own batch committed.
/// One batch is in flight at a time per daemon: every commit holds the event counter's lock to its end,
/// so two would only queue at the database.
final class PostgresGroupCommit: Sendable {
    static let maximumBatch = 128

    private struct Waiting {
        let insert: PendingPostgresInsert
        let continuation: CheckedContinuation<InsertOutcome, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var committing = false
    }

    /// Commits one batch: one outcome per insert, in order.
    typealias Commit = @Sendable ([PendingPostgresInsert]) async -> [Result<InsertOutcome, any Error>]

    private let state = Mutex(State())

    /// Waits for `insert`'s batch to commit. The caller that finds no commit running starts the drain,
    /// with its `commit`.
    func insert(_ insert: PendingPostgresInsert, commit: @escaping Commit) async throws -> InsertOutcome {
        try await withCheckedThrowingContinuation { continuation in
            let starts = state.withLock { state in
                state.waiting.append(Waiting(insert: insert, continuation: continuation))
                guard !state.committing else { return false }
                state.committing = true
                return true
            }
            if starts { Task { await self.drain(commit) } }
        }
    }

    /// Commits batches until nobody waits.
    private func drain(_ commit: Commit) async {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                var batch: [Waiting] = []
                var keys = Set<String>()
                var later: [Waiting] = []
                for waiting in state.waiting {
                    if batch.count == Self.maximumBatch {
                        later.append(waiting)
                    } else if let key = waiting.insert.keyed, !keys.insert(key).inserted {
                        later.append(waiting)
                    } else {
                        batch.append(waiting)
                    }
                }
                state.waiting = later
                if batch.isEmpty { state.committing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            let outcomes = await commit(batch.map(\.insert))
            for (waiting, outcome) in zip(batch, outcomes) {
                waiting.continuation.resume(with: outcome)
            }
        }
    }
}
