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
    public func insert(_ new: NewSubmission) async throws -> InsertOutcome {
        let canonicalRequest = new.request.canonicalBytes()
        let fingerprint = RequestFingerprint.of(projectID: new.projectID, jobID: new.jobID, canonicalRequest: canonicalRequest)
        let id = ids.withLock { $0.next(at: new.at) }
        let takenBy = instanceName
        let outcome = try await transaction("insert") { connection in
            let tables = PostgresTables(connection: connection, logger: self.logger)
            /// What an earlier submission under the key decides, if there is one.
            func earlier() async throws -> InsertOutcome? {
                guard let key = new.idempotencyKey else { return nil }
                switch KeyedReplay.single(found: try await tables.keyed(ownerUID: new.owner.uid, idempotencyKey: key), fingerprint: fingerprint) {
                case .store: return nil
                case .conflict(let existingID): return .idempotencyConflict(existingID: existingID)
                case .replay(let ids): return .replayed(try await Self.replayed(ids, tables: tables)[0])
                }
            }
            if let decided = try await earlier() { return decided }
            let assigned = new.assigned(id: id)
            guard
                try await tables.insertSubmission(
                    assigned, id: id, requestBytes: Data(canonicalRequest), fingerprint: fingerprint, takenBy: takenBy)
            else {
                // Another daemon stored the same key a moment ago: its submission answers this one.
                guard let decided = try await earlier() else {
                    throw StoreError(kind: .database, reason: "insert: a conflicting row appeared and vanished")
                }
                return decided
            }
            let seq = try await tables.appendEvents([EventDraft(submissionID: id, jobID: assigned.jobID, state: .queued, at: new.at)])
            return .created(assigned.queuedView(id: id, eventSeq: seq[0], takenBy: takenBy))
        }
        if case .created(let view) = outcome { sawSequence(view.history.last?.seq ?? 0) }
        return outcome
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
