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
            if let key = new.idempotencyKey {
                switch KeyedReplay.single(found: try await tables.keyed(ownerUID: new.owner.uid, idempotencyKey: key), fingerprint: fingerprint) {
                case .store:
                    break
                case .conflict(let existingID):
                    return InsertOutcome.idempotencyConflict(existingID: existingID)
                case .replay(let ids):
                    return .replayed(try await Self.replayed(ids, tables: tables)[0])
                }
            }
            let assigned = new.assigned(id: id)
            try await tables.insertSubmission(
                assigned, id: id, requestBytes: Data(canonicalRequest), fingerprint: fingerprint, takenBy: takenBy)
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
            if let key = idempotencyKey {
                switch KeyedReplay.batch(found: try await tables.keyed(ownerUID: items[0].owner.uid, idempotencyKey: key), fingerprint: fingerprint) {
                case .store:
                    break
                case .conflict(let existingID):
                    return BatchInsertOutcome.idempotencyConflict(existingID: existingID)
                case .replay(let ids):
                    return .replayed(try await Self.replayed(ids, tables: tables))
                }
            }
            // Every row first, then the events: the counter's lock is taken last and held shortest.
            for ((id, item), canonicalRequest) in zip(assigned, canonicalRequests) {
                try await tables.insertSubmission(
                    item, id: id, requestBytes: Data(canonicalRequest), fingerprint: fingerprint, takenBy: takenBy)
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
