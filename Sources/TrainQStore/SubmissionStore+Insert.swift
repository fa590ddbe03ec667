import Foundation
import JSONTree
import TrainQAPI

/// An insert waiting for the next group commit, with the request's canonical bytes and fingerprint
/// already worked out, and whom to tell once it is committed (a task's continuation, or an event loop's
/// callback).
struct PendingInsert {
    let submission: NewSubmission
    let canonicalRequest: [UInt8]
    let fingerprint: Data
    let reply: @Sendable (Result<InsertOutcome, StoreError>) -> Void

    /// Works out the canonical bytes and fingerprint on the caller's thread, before the hand-off: the
    /// store's single thread only writes.
    init(_ new: NewSubmission, reply: @escaping @Sendable (Result<InsertOutcome, StoreError>) -> Void) {
        self.submission = new
        self.canonicalRequest = new.request.canonicalBytes()
        self.fingerprint = RequestFingerprint.of(projectID: new.projectID, jobID: new.jobID, canonicalRequest: canonicalRequest)
        self.reply = reply
    }
}

extension SubmissionStore {
    /// Stores a new submission in `queued` with its first event, durably: when this returns
    /// `.created`, the row is on disk and the caller may answer 202.
    ///
    /// Inserts that arrive while another commit runs are committed together in one transaction (one
    /// fsync) and each caller resumes only after that commit. If the commit fails, every caller of the
    /// batch gets the error and nothing of the batch is stored; earlier batches are untouched.
    ///
    /// The same owner with the same idempotency key and the same project, job and request gets
    /// `.replayed`; with a different one, `.idempotencyConflict`. Different owners never collide.
    ///
    /// The request's canonical bytes and fingerprint are worked out on the caller's thread, and the
    /// insert reaches the store's thread the same way as `insert(_:completion:)`'s.
    public nonisolated func insert(_ new: NewSubmission) async throws -> InsertOutcome {
        try await withCheckedThrowingContinuation { continuation in
            hand(PendingInsert(new, reply: { continuation.resume(with: $0) }))
        }
    }

    /// `insert` for a caller that is not a task (an event loop): `completion` runs on the store's thread
    /// once the insert is committed or has failed. It saves the task and the two thread switches that an
    /// actor call costs each submission.
    public nonisolated func insert(_ new: NewSubmission, completion: @escaping @Sendable (Result<InsertOutcome, any Error>) -> Void) {
        hand(PendingInsert(new, reply: { completion($0.mapError { $0 }) }))
    }

    /// Hands an insert to the store's thread as a plain closure, in order with the actor's jobs.
    private nonisolated func hand(_ pending: PendingInsert) {
        executor.execute {
            self.assumeIsolated { store in store.enqueue(pending) }
        }
    }

    /// Queues an insert for the next group commit; a closed store fails it at once.
    private func enqueue(_ pending: PendingInsert) {
        do {
            _ = try openConnection()
        } catch {
            pending.reply(.failure(error))
            return
        }
        pendingInserts.append(pending)
        scheduleInsertFlush()
    }

    /// The flush is a job queued behind the inserts already waiting on this actor, so a burst of
    /// callers lands in one batch without any timer.
    private func scheduleInsertFlush() {
        guard !insertFlushScheduled else { return }
        insertFlushScheduled = true
        Task {
            self.flushPendingInserts()
        }
    }

    /// Commits up to `maximumInsertBatch` waiting inserts in one transaction and resumes their callers.
    func flushPendingInserts() {
        insertFlushScheduled = false
        guard !pendingInserts.isEmpty else { return }
        let batch = Array(pendingInserts.prefix(Self.maximumInsertBatch))
        pendingInserts.removeFirst(batch.count)
        if !pendingInserts.isEmpty {
            scheduleInsertFlush()
        }

        let outcomes: [Result<InsertOutcome, StoreError>]
        let tables: StoreTables
        do {
            let connection = try openConnection()
            tables = StoreTables(connection: connection)
            outcomes = try connection.transaction {
                try batch.map { pending in try insertOne(pending, tables: tables, alone: batch.count == 1) }
            }
        } catch {
            let storeError = failure(error, during: "insert")
            for pending in batch {
                pending.reply(.failure(storeError))
            }
            return
        }
        insertBatchesCommitted += 1
        didCommit(tables)
        for (pending, outcome) in zip(batch, outcomes) {
            pending.reply(outcome)
        }
    }

    /// One insert of a batch, in a savepoint: a failure of this one request (say, a constraint) fails
    /// only its caller. A failure of the storage fails the whole batch. A batch of one needs no
    /// savepoint: any failure of it rolls the whole transaction back and reaches its caller.
    private func insertOne(_ pending: PendingInsert, tables: StoreTables, alone: Bool) throws -> Result<InsertOutcome, StoreError> {
        if alone {
            return .success(try insertOrReplay(pending, tables: tables))
        }
        do {
            return .success(
                try tables.connection.savepoint("insert_submission") {
                    try insertOrReplay(pending, tables: tables)
                })
        } catch let error as SQLiteError where error.isStorageFailure {
            throw error
        } catch {
            return .failure(StoreError.wrapping(error))
        }
    }

    private func insertOrReplay(_ pending: PendingInsert, tables: StoreTables) throws -> InsertOutcome {
        let new = pending.submission
        let fingerprint = pending.fingerprint
        if let key = new.idempotencyKey {
            switch KeyedReplay.single(found: try tables.submissions(ownerUID: new.owner.uid, idempotencyKey: key), fingerprint: fingerprint) {
            case .store:
                break
            case .conflict(let existingID):
                return .idempotencyConflict(existingID: existingID)
            case .replay(let ids):
                guard let id = ids.first, let stored = try tables.submission(id: id, includeHistory: true) else {
                    throw StoreError(kind: .corruptRow, reason: "a submission vanished during a replay")
                }
                return .replayed(stored.view)
            }
        }
        let id = idGenerator.next(at: new.at)
        let assigned = new.assigned(id: id)
        let eventSeq = try tables.insertSubmission(
            assigned, id: id, requestBytes: Data(pending.canonicalRequest), fingerprint: fingerprint)
        return .created(assigned.queuedView(id: id, eventSeq: eventSeq))
    }
}

extension NewSubmission {
    /// The row just inserted, as a read would return it (times at the store's millisecond precision),
    /// built without reading it back.
    public func queuedView(id: String, eventSeq: Int64, takenBy: String? = nil) -> SubmissionView {
        let at = EpochMilliseconds.rounded(self.at)
        return SubmissionView(
            id: id, state: .queued, owner: owner, projectID: projectID, jobID: jobID, request: request,
            createdAt: at, updatedAt: at, nextAttemptAt: at,
            history: [HistoryEntry(seq: eventSeq, at: at, state: .queued)], api: api, trainingJobName: trainingJobName,
            fromJob: fromJob, takenBy: takenBy)
    }
}
