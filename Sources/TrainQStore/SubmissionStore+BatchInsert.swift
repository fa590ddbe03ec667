import Foundation
import JSONTree
import TrainQAPI

/// What `SubmissionStore.insertBatch` did with a batch.
public enum BatchInsertOutcome: Sendable, Hashable {
    /// Every item stored durably in `queued`, in the batch's order: answer 202.
    case created([SubmissionView])
    /// The same owner sent the same key with the same batch before: these are its items (those that
    /// retention has not yet forgotten), in the batch's order; answer 200.
    case replayed([SubmissionView])
    /// The key was used for a different batch or for a single request (answer 409); nothing was stored.
    case idempotencyConflict(existingID: String)
}

extension SubmissionStore {
    /// The most requests one batch may carry.
    public static let maximumBatchItems = 1000

    /// Stores every item of a batch in `queued`, in one transaction (one fsync): all of them or none.
    /// The batch shares one idempotency key (the items' own `idempotencyKey` is ignored); a replay with
    /// the same items in the same order answers the stored items.
    ///
    /// Canonical bytes and fingerprints are worked out on the caller's executor, before the hop.
    public nonisolated func insertBatch(_ items: [NewSubmission], idempotencyKey: String?) async throws -> BatchInsertOutcome {
        precondition((1...Self.maximumBatchItems).contains(items.count), "a batch carries 1–\(Self.maximumBatchItems) items")
        let canonicalRequests = items.map { $0.request.canonicalBytes() }
        let batchFingerprint = RequestFingerprint.ofBatch(items, canonicalRequests: canonicalRequests)
        return try await commitBatch(
            items, canonicalRequests: canonicalRequests, fingerprint: batchFingerprint, idempotencyKey: idempotencyKey)
    }

    private func commitBatch(
        _ items: [NewSubmission], canonicalRequests: [[UInt8]], fingerprint: Data, idempotencyKey: String?
    ) throws -> BatchInsertOutcome {
        // Single inserts already waiting commit first, so the batch's ids come after theirs.
        flushPendingInserts()
        let outcome: BatchInsertOutcome
        let tables: StoreTables
        do {
            let connection = try openConnection()
            tables = StoreTables(connection: connection)
            outcome = try connection.transaction {
                if let key = idempotencyKey, let replay = try batchReplay(
                    ownerUID: items[0].owner.uid, key: key, fingerprint: fingerprint, tables: tables)
                {
                    return replay
                }
                var created: [SubmissionView] = []
                created.reserveCapacity(items.count)
                for (index, (item, canonicalRequest)) in zip(items, canonicalRequests).enumerated() {
                    var item = item
                    item.idempotencyKey = idempotencyKey.map { IdempotencyKeys.batchItem($0, index: index) }
                    let id = idGenerator.next(at: item.at)
                    item = item.assigned(id: id)
                    let eventSeq = try tables.insertSubmission(
                        item, id: id, requestBytes: Data(canonicalRequest), fingerprint: fingerprint)
                    created.append(item.queuedView(id: id, eventSeq: eventSeq))
                }
                return .created(created)
            }
        } catch {
            throw failure(error, during: "batch insert")
        }
        if case .created = outcome {
            insertBatchesCommitted += 1
            didCommit(tables)
        }
        return outcome
    }

    /// The stored batch under `key`, or a conflict; nil when the key is unused.
    private func batchReplay(ownerUID: UInt32, key: String, fingerprint: Data, tables: StoreTables) throws -> BatchInsertOutcome? {
        switch KeyedReplay.batch(found: try tables.submissions(ownerUID: ownerUID, idempotencyKey: key), fingerprint: fingerprint) {
        case .store:
            return nil
        case .conflict(let existingID):
            return .idempotencyConflict(existingID: existingID)
        case .replay(let ids):
            return .replayed(try ids.map { id in
                guard let stored = try tables.submission(id: id, includeHistory: true) else {
                    throw StoreError(kind: .corruptRow, reason: "submission \(id) vanished during a replay")
                }
                return stored.view
            })
        }
    }
}
