import Foundation
import JSONTree
import Synchronization
import PostgresNIO
import TrainQAPI
import TrainQStore

extension PostgresSubmissionStore {
    /// Stores a new submission in `queued` with its first event; when this returns `.created` the row is
    /// committed and the caller may answer 202. Idempotency keys are decided as in every store
    /// (`KeyedReplay`), and unique across all daemons: the unique index settles a race between two.
    ///
    /// Inserts that arrive while another commit runs go together into the next transaction (group commit,
    /// `PostgresGroupCommit`): every commit takes the event counter's lock to its end, so one commit per
    /// insert would make concurrent callers wait for each other's WAL flush in turn.
    public func insert(_ new: NewSubmission) async throws -> InsertOutcome {
        let canonicalRequest = new.request.canonicalBytes()
        let fingerprint = RequestFingerprint.of(projectID: new.projectID, jobID: new.jobID, canonicalRequest: canonicalRequest)
        return try await groupCommit.insert(
            PendingPostgresInsert(submission: new, canonicalRequest: canonicalRequest, fingerprint: fingerprint)
        ) { batch in await self.commitInserts(batch) }
    }

    /// Commits `batch` in one transaction: one outcome per item, in order. When the transaction fails for
    /// a reason of the database's own (not its being unavailable) and there was more than one item, each
    /// item is tried alone, so one bad request fails only its caller.
    func commitInserts(_ batch: [PendingPostgresInsert]) async -> [Result<InsertOutcome, any Error>] {
        do {
            return try await insertTogether(batch).map { .success($0) }
        } catch where batch.count > 1 && error.kind != .unavailable && error.kind != .closed {
            var outcomes: [Result<InsertOutcome, any Error>] = []
            for pending in batch {
                do {
                    outcomes.append(.success(try await insertTogether([pending])[0]))
                } catch {
                    outcomes.append(.failure(error))
                }
            }
            return outcomes
        } catch {
            return batch.map { _ in .failure(error) }
        }
    }

    private func insertTogether(_ batch: [PendingPostgresInsert]) async throws(StoreError) -> [InsertOutcome] {
        let takenBy = instanceName
        let assigned = ids.withLock { generator in
            batch.map { pending in
                let id = generator.next(at: pending.submission.at)
                return (id, pending.submission.assigned(id: id))
            }
        }
        let outcomes = try await transaction("insert") { connection -> [InsertOutcome] in
            let tables = PostgresTables(connection: connection, logger: self.logger)
            // Nil for a row stored here: its view needs its event's seq, known once all are appended.
            var outcomes: [InsertOutcome?] = []
            var created: [(index: Int, draft: EventDraft)] = []
            for (pending, (id, submission)) in zip(batch, assigned) {
                /// What an earlier submission under the key decides, if there is one.
                func earlier() async throws -> InsertOutcome? {
                    guard let key = submission.idempotencyKey else { return nil }
                    let found = try await tables.keyed(ownerUID: submission.owner.uid, idempotencyKey: key)
                    switch KeyedReplay.single(found: found, fingerprint: pending.fingerprint) {
                    case .store: return nil
                    case .conflict(let existingID): return .idempotencyConflict(existingID: existingID)
                    case .replay(let ids): return .replayed(try await Self.replayed(ids, tables: tables)[0])
                    }
                }
                if let decided = try await earlier() {
                    outcomes.append(decided)
                    continue
                }
                guard
                    try await tables.insertSubmission(
                        submission, id: id, requestBytes: Data(pending.canonicalRequest), fingerprint: pending.fingerprint,
                        takenBy: takenBy)
                else {
                    // Another daemon stored the same key a moment ago: its submission answers this one.
                    guard let decided = try await earlier() else {
                        throw StoreError(kind: .database, reason: "insert: a conflicting row appeared and vanished")
                    }
                    outcomes.append(decided)
                    continue
                }
                created.append((outcomes.count, EventDraft(submissionID: id, jobID: submission.jobID, state: .queued, at: submission.at)))
                outcomes.append(nil)
            }
            let seqs = try await tables.appendEvents(created.map(\.draft))
            for ((index, _), seq) in zip(created, seqs) {
                let (id, submission) = assigned[index]
                outcomes[index] = .created(submission.queuedView(id: id, eventSeq: seq, takenBy: takenBy))
            }
            return outcomes.compactMap { $0 }
        }
        for outcome in outcomes {
            if case .created(let view) = outcome { sawSequence(view.history.last?.seq ?? 0) }
        }
        return outcomes
    }

    /// Stores every item of a batch or none, in one transaction, as the SQLite store does.
    public func insertBatch(_ items: [NewSubmission], idempotencyKey: String?) async throws -> BatchInsertOutcome {
        precondition(
            (1...SubmissionStore.maximumBatchItems).contains(items.count), "a batch carries 1–\(SubmissionStore.maximumBatchItems) items")
        let canonicalRequests = items.map { $0.request.canonicalBytes() }
        let fingerprint = RequestFingerprint.ofBatch(items, canonicalRequests: canonicalRequests)
        let assigned = ids.withLock { generator in
            items.enumerated().map { index, item in
                var item = item
                item.idempotencyKey = idempotencyKey.map { IdempotencyKeys.batchItem($0, index: index) }
                let id = generator.next(at: item.at)
                return (id, item.assigned(id: id))
            }
        }
        let takenBy = instanceName
        let outcome = try await transaction("batch insert") { connection in
            let tables = PostgresTables(connection: connection, logger: self.logger)
            func earlier() async throws -> BatchInsertOutcome? {
                guard let key = idempotencyKey else { return nil }
                switch KeyedReplay.batch(found: try await tables.keyed(ownerUID: items[0].owner.uid, idempotencyKey: key), fingerprint: fingerprint) {
                case .store: return nil
                case .conflict(let existingID): return .idempotencyConflict(existingID: existingID)
                case .replay(let ids): return .replayed(try await Self.replayed(ids, tables: tables))
                }
            }
            if let decided = try await earlier() { return decided }
            // Every row first, then the events: the counter's lock is taken last and held shortest.
            for (index, ((id, item), canonicalRequest)) in zip(assigned, canonicalRequests).enumerated() {
                guard
                    try await tables.insertSubmission(
                        item, id: id, requestBytes: Data(canonicalRequest), fingerprint: fingerprint, takenBy: takenBy)
                else {
                    // Another daemon stored the same batch a moment ago. Its first item is where two such
                    // inserts meet, before this one stored anything, so its batch answers this one.
                    guard index == 0, let decided = try await earlier() else {
                        throw StoreError(kind: .database, reason: "batch insert: item \(index)'s idempotency key is taken by another submission")
                    }
                    return decided
                }
            }
            let seqs = try await tables.appendEvents(
                assigned.map { id, item in EventDraft(submissionID: id, jobID: item.jobID, state: .queued, at: item.at) })
            return .created(zip(assigned, seqs).map { pair, seq in pair.1.queuedView(id: pair.0, eventSeq: seq, takenBy: takenBy) })
        }
        if case .created(let views) = outcome { sawSequence(views.last?.history.last?.seq ?? 0) }
        return outcome
    }

    private static func replayed(_ ids: [String], tables: PostgresTables) async throws -> [SubmissionView] {
        var views: [SubmissionView] = []
        for id in ids {
            guard let stored = try await tables.submission(id: id, includeHistory: true) else {
                throw StoreError(kind: .corruptRow, reason: "submission \(id) vanished during a replay")
            }
            views.append(stored.view)
        }
        return views
    }
}
