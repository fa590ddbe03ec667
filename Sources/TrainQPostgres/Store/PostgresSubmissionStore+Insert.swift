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

    /// One round trip for a batch without idempotency keys: its rows and events go in one statement,
    /// outside a transaction (the statement is atomic, and its commit is the batch's one flush). A keyed
    /// item is first decided against an earlier submission under its key; one that loses a race with
    /// another daemon for its key is decided against the winner's committed row.
    private func insertTogether(_ batch: [PendingPostgresInsert]) async throws(StoreError) -> [InsertOutcome] {
        let takenBy = instanceName
        let rows = ids.withLock { generator in
            batch.map { pending in
                let id = generator.next(at: pending.submission.at)
                return QueuedRow(
                    id: id, submission: pending.submission.assigned(id: id), requestBytes: pending.canonicalRequest,
                    fingerprint: pending.fingerprint)
            }
        }
        let outcomes = try await onConnection("insert") { connection -> [InsertOutcome] in
            let tables = PostgresTables(connection: connection, logger: self.logger)
            var outcomes: [InsertOutcome?] = Array(repeating: nil, count: rows.count)
            var storing: [Int] = []
            for (index, row) in rows.enumerated() {
                if let decided = try await Self.earlier(row, tables: tables) {
                    outcomes[index] = decided
                } else {
                    storing.append(index)
                }
            }
            let seqs = try await tables.insertQueued(storing.map { rows[$0] }, takenBy: takenBy)
            for index in storing {
                let row = rows[index]
                if let seq = seqs[row.id] {
                    outcomes[index] = .created(row.submission.queuedView(id: row.id, eventSeq: seq, takenBy: takenBy))
                } else if let decided = try await Self.earlier(row, tables: tables) {
                    // Another daemon stored the same key a moment ago: its submission answers this one.
                    outcomes[index] = decided
                } else {
                    throw StoreError(kind: .database, reason: "insert: a conflicting row appeared and vanished")
                }
            }
            return outcomes.compactMap { $0 }
        }
        if let seq = outcomes.compactMap({ outcome -> Int64? in
            guard case .created(let view) = outcome else { return nil }
            return view.history.last?.seq
        }).max() {
            sawSequence(seq)
        }
        return outcomes
    }

    /// What an earlier submission under `row`'s idempotency key decides for it, if there is one.
    private static func earlier(_ row: QueuedRow, tables: PostgresTables) async throws -> InsertOutcome? {
        guard let key = row.submission.idempotencyKey else { return nil }
        let found = try await tables.keyed(ownerUID: row.submission.owner.uid, idempotencyKey: key)
        switch KeyedReplay.single(found: found, fingerprint: row.fingerprint) {
        case .store: return nil
        case .conflict(let existingID): return .idempotencyConflict(existingID: existingID)
        case .replay(let ids): return .replayed(try await replayed(ids, tables: tables)[0])
        }
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
            let rows = zip(assigned, canonicalRequests).map { pair, canonicalRequest in
                QueuedRow(id: pair.0, submission: pair.1, requestBytes: canonicalRequest, fingerprint: fingerprint)
            }
            let seqs = try await tables.insertQueued(rows, takenBy: takenBy)
            guard seqs.count == rows.count else {
                // Another daemon stored the same batch a moment ago: then no item was stored here, and its
                // batch answers this one (this transaction rolls back whatever else happened).
                guard seqs.isEmpty, let decided = try await earlier() else {
                    throw StoreError(kind: .database, reason: "batch insert: an item's idempotency key is taken by another submission")
                }
                return decided
            }
            return .created(
                try rows.map { row in
                    guard let seq = seqs[row.id] else {
                        throw StoreError(kind: .database, reason: "batch insert: item \(row.id) has no event")
                    }
                    return row.submission.queuedView(id: row.id, eventSeq: seq, takenBy: takenBy)
                })
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
