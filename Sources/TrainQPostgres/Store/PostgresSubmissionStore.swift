import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import PostgresNIO
import Synchronization
import TrainQAPI
import TrainQStore

/// The store on a PostgreSQL database that several daemons share (DESIGN §8). It applies the same
/// `SubmissionWrite`s as the SQLite store, with the same checks; what it adds is who may act on a job:
/// a daemon claims a job's due work under a lease on the database's clock, and its writes to a create in
/// flight carry the lease's generation, so a daemon that comes back after its lease was taken over
/// cannot write over its successor's work.
///
/// The connection pool runs in a task of its own from `open` to `close`. Every call is bounded by
/// `operationTimeout`: with the database down, a call fails as `unavailable` instead of waiting.
public final class PostgresSubmissionStore: SubmissionStorage {
    public let configuration: PostgresStoreConfiguration
    let client: PostgresClient
    let logger: Logger
    private let poolTask: Task<Void, Never>
    let ids = Mutex(SubmissionIDGenerator())
    /// The job leases this daemon holds, as the database last confirmed them.
    let leases = Mutex<[JobKey: HeldLease]>([:])
    /// The highest event seq this daemon has seen committed, to answer waits without a query.
    let seenSequence = Atomic<Int64>(0)
    let closed = Atomic<Bool>(false)
    /// Intake's group commit (its commits run `commitInserts`).
    let groupCommit = PostgresGroupCommit()

    var instanceName: String { configuration.instanceName }

    private init(client: PostgresClient, poolTask: Task<Void, Never>, configuration: PostgresStoreConfiguration, logger: Logger) {
        self.client = client
        self.poolTask = poolTask
        self.configuration = configuration
        self.logger = logger
    }

    /// Connects, brings the schema to the latest step (safely when several daemons start at once) and
    /// returns the store. Fails as `unavailable` when the database cannot be reached.
    public static func open(
        settings: PostgresConnectionSettings, configuration: PostgresStoreConfiguration, logger: Logger
    ) async throws -> PostgresSubmissionStore {
        let client = PostgresClient(
            configuration: settings.clientConfiguration(maximumConnections: configuration.maximumConnections),
            backgroundLogger: logger)
        let poolTask = Task { await client.run() }
        let store = PostgresSubmissionStore(client: client, poolTask: poolTask, configuration: configuration, logger: logger)
        do {
            _ = try await store.bounded("open the database") {
                try await PostgresMigrator.migrate(client, logger: logger)
            }
            try await store.checkInstanceName()
            store.seenSequence.store(try await store.lastSequence(), ordering: .relaxed)
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    public func close() async {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        poolTask.cancel()
        _ = await poolTask.value
    }

    /// Runs `body` against the database, failing as `StoreError` (`unavailable` after
    /// `operationTimeout`, or when the store is closed).
    func bounded<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable () async throws -> Result
    ) async throws(StoreError) -> Result {
        guard !closed.load(ordering: .relaxed) else {
            throw StoreError(kind: .closed, reason: "\(operation): the store is closed")
        }
        let timeout = configuration.operationTimeout
        do {
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask { try await body() }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let result = first else {
                    throw StoreError(
                        kind: .unavailable, reason: "\(operation): the database did not answer within \(timeout)")
                }
                return result
            }
        } catch {
            throw PostgresStoreFailure.storeError(error, during: operation)
        }
    }

    /// `body` in one transaction, bounded like every call.
    func transaction<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws(StoreError) -> Result {
        let client = self.client
        let logger = self.logger
        return try await bounded(operation) {
            try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }

    /// `body` on one connection outside a transaction: a read, or a write that is one statement.
    func onConnection<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws(StoreError) -> Result {
        let client = self.client
        return try await bounded(operation) {
            try await client.withConnection { connection in try await body(connection) }
        }
    }

    /// `body` on one connection outside a transaction: a read.
    func read<Result: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws(StoreError) -> Result {
        try await onConnection(operation, body)
    }
}

extension PostgresSubmissionStore {
    /// Two live daemons under one `instance.name` would each take the other's leases for its own: the
    /// name is claimed at start, in one transaction, and refused while another process that beat within
    /// a lease holds it. A restart of this daemon finds its old process gone (the same host, a pid that no
    /// longer runs) and goes on. Two daemons starting at once under one name meet on the row: the second
    /// waits for the first's commit and then sees it live.
    func checkInstanceName() async throws {
        let me = instanceName
        let seconds = configuration.leaseSeconds
        let host = ProcessInfo.processInfo.hostName
        let pid = Int64(getpid())
        let holder = try await transaction("claim the instance name") { connection -> (String, Int64, Double)? in
            let tables = PostgresTables(connection: connection, logger: self.logger)
            let inserted = try await !tables.rows(
                """
                INSERT INTO daemons (name, host, pid, started_at, beat_at) VALUES (\(me), \(host), \(pid), now(), now())
                ON CONFLICT (name) DO NOTHING RETURNING 1
                """
            ).isEmpty
            if inserted { return nil }
            guard
                let (holderHost, holderPID, age, live) = try await tables.rows(
                    """
                    SELECT host, pid::int8, EXTRACT(EPOCH FROM now() - beat_at)::float8,
                        beat_at > now() - make_interval(secs => \(seconds))
                    FROM daemons WHERE name = \(me) FOR UPDATE
                    """
                ).first?.decode((String, Int64, Double, Bool).self)
            else { return nil }
            let sameHost = holderHost == host
            let gone = !live || (sameHost && (holderPID == pid || (kill(pid_t(holderPID), 0) != 0 && errno == ESRCH)))
            guard gone else { return (holderHost, holderPID, age) }
            try await tables.run(
                "UPDATE daemons SET host = \(host), pid = \(pid), started_at = now(), beat_at = now() WHERE name = \(me)")
            return nil
        }
        guard let (host, pid, age) = holder else { return }
        throw PostgresConfigurationError(
            key: "instance.name",
            problem: "'\(me)' is in use by process \(pid) on \(host), which beat \(Int(age)) s ago; give each trainqd sharing the database its own instance.name")
    }
}

extension PostgresConnection {
    /// Every row of `query`, read into memory.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        var rows: [PostgresRow] = []
        for try await row in try await self.query(query, logger: logger) {
            rows.append(row)
        }
        return rows
    }
}

/// A job lease this daemon holds: its generation, and when this daemon last took or confirmed it (a
/// heartbeat forgets only leases it did not see that were taken before it began).
struct HeldLease: Sendable, Equatable {
    var generation: Int64
    var since: ContinuousClock.Instant
}
