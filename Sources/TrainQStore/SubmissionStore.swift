import Logging
import TrainQAPI

/// The durable record of every submission: its request, state, attempts and history, in SQLite.
///
/// All database work runs on the actor's own thread (`DedicatedThreadExecutor`), never on the
/// cooperative pool. Writes are transactions with `synchronous=FULL`: when a call returns, its
/// change is on disk. Every state change is a compare-and-set on the current state, allowed only by
/// `SubmissionState.canMove(to:)`, and is written together with its event row.
///
/// Every error thrown is a `StoreError`.
public actor SubmissionStore {
    enum State {
        case open(SQLiteConnection)
        case closed
    }

    /// Inserts handed to one transaction at most: bounds the time one commit holds callers.
    static let maximumInsertBatch = 512

    var state: State
    let logger: Logger
    let executor: DedicatedThreadExecutor
    var idGenerator = SubmissionIDGenerator()
    var pendingInserts: [PendingInsert] = []
    var insertFlushScheduled = false
    /// Insert transactions committed so far (each one fsync), for tests and diagnostics.
    var insertBatchesCommitted = 0
    var eventWaiters = EventWaiters()
    /// The highest committed event seq: what waiters compare against.
    var committedSequence: Int64

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// Opens (creating if needed) and migrates the database at `path`. Runs on the caller's thread,
    /// once, at start-up.
    public init(path: String, logger: Logger) throws {
        let connection: SQLiteConnection
        let lastSequence: Int64
        do {
            connection = try DatabaseSetup.open(path: path, logger: logger)
            lastSequence = try StoreTables(connection: connection).lastSequence()
        } catch {
            throw StoreError.wrapping(error)
        }
        self.state = .open(connection)
        self.logger = logger
        self.executor = DedicatedThreadExecutor(name: "trainq-store")
        self.committedSequence = lastSequence
    }

    deinit {
        executor.shutdown()
    }

    /// Commits inserts still waiting, wakes every event waiter (with "no news") and closes the file.
    /// Later calls fail with `StoreError.Kind.closed`. Closing twice is harmless.
    public func close() {
        guard case .open(let connection) = state else { return }
        while !pendingInserts.isEmpty {
            flushPendingInserts()
        }
        state = .closed
        connection.close()
        for waiter in eventWaiters.removeAll() {
            waiter.timeout?.cancel()
            waiter.continuation.resume(returning: false)
        }
    }

    /// True when the current code runs on the store's own thread (for tests and assertions).
    public nonisolated var isOnStoreThread: Bool {
        executor.isCurrentThread
    }

    // MARK: Helpers for the other files of the actor

    func openConnection() throws(StoreError) -> SQLiteConnection {
        guard case .open(let connection) = state else {
            throw StoreError(kind: .closed, reason: "the submission store is closed")
        }
        return connection
    }

    /// Runs reads outside any explicit transaction.
    func read<Result>(_ body: (StoreTables) throws -> Result) throws(StoreError) -> Result {
        let tables = StoreTables(connection: try openConnection())
        do {
            return try body(tables)
        } catch {
            throw failure(error, during: "read")
        }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction, then wakes event waiters.
    func write<Result>(_ body: (StoreTables) throws -> Result) throws(StoreError) -> Result {
        let connection = try openConnection()
        let tables = StoreTables(connection: connection)
        let result: Result
        do {
            result = try connection.transaction { try body(tables) }
        } catch {
            throw failure(error, during: "write")
        }
        didCommit(tables)
        return result
    }

    /// After a commit: publish the new highest event seq and resume the waiters it satisfies.
    func didCommit(_ tables: StoreTables) {
        guard let sequence = try? tables.lastSequence(), sequence > committedSequence else { return }
        committedSequence = sequence
        for waiter in eventWaiters.removeSatisfied(by: sequence) {
            waiter.timeout?.cancel()
            waiter.continuation.resume(returning: true)
        }
    }

    /// Wraps and logs a failure; storage failures are worth an error line, the rest are the caller's.
    func failure(_ error: any Error, during operation: String) -> StoreError {
        let storeError = StoreError.wrapping(error)
        if storeError.kind == .unavailable {
            logger.error(
                "database unavailable",
                metadata: ["operation": "\(operation)", "reason": "\(storeError.reason)"])
        }
        return storeError
    }
}
