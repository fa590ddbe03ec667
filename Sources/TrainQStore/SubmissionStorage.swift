import Foundation
import TrainQAPI

/// What the engine and the socket API need of a store. `SubmissionStore` keeps it in an SQLite file on
/// one host; the PostgreSQL store shares one database among several daemons. Both apply the same
/// `SubmissionWrite`s, checked by `SubmissionWrite.check()`, so they cannot disagree on a transition.
public protocol SubmissionStorage: Sendable {
    /// Stores a new submission durably (or finds the one its idempotency key names).
    func insert(_ new: NewSubmission) async throws -> InsertOutcome
    /// The same for a caller that is not a task: `completion` runs once the insert is durable or has
    /// failed, on a thread of the store's choosing.
    func insert(_ new: NewSubmission, completion: @escaping @Sendable (Result<InsertOutcome, any Error>) -> Void)
    /// Stores every item or none, in one transaction.
    func insertBatch(_ items: [NewSubmission], idempotencyKey: String?) async throws -> BatchInsertOutcome

    func stored(id: String) async throws -> StoredSubmission?
    /// One submission with its attempts and history, as the API shows it.
    func submission(id: String) async throws -> SubmissionView?
    func list(_ query: SubmissionQuery) async throws -> SubmissionList
    func countsByState() async throws -> [SubmissionState: Int]
    /// How long the longest-waiting due submission has waited; nil when none is due.
    func oldestDue(now: Date) async throws -> Duration?

    /// Every submission in `state` that this daemon works on, oldest first.
    func submissions(in state: SubmissionState) async throws -> [StoredSubmission]
    /// What the submitter may start now: at most one submission per job, none of `busyJobs` nor of a job
    /// with a create in flight or unknown.
    func dueWork(now: Date, busyJobs: Set<JobKey>, limit: Int) async throws -> DueWork
    /// Applies one decision of the engine in one transaction; nil when the row was no longer in
    /// `write.expected`.
    func apply(_ write: SubmissionWrite, id: String) async throws -> StoredSubmission?

    /// The highest event seq committed so far.
    func lastSequence() async throws -> Int64
    func events(after: Int64, submission: String?, jobID: Int64?, limit: Int) async throws -> EventsPage
    /// Waits until an event above `after` is committed (true), or `timeout` passes (false).
    func waitForEvents(after: Int64, timeout: Duration) async -> Bool

    /// Deletes up to `limit` ended submissions last changed before `cutoff`; returns how many.
    func pruneEnded(before cutoff: Date, limit: Int) async throws -> Int
    /// Gives back up to `pages` free pages to the file system, where the store has such pages.
    func releaseFreePages(_ pages: Int) async throws -> Int
    func footprint() async throws -> StoreFootprint

    /// How often the daemon must call `maintainLeases`; nil for a store one daemon has to itself.
    var leaseHeartbeat: Duration? { get }
    /// Renews this daemon's job leases and takes over those other daemons let expire.
    func maintainLeases() async throws -> LeaseChanges
    /// Whether this daemon works on `job`'s creates and tracked runs (it holds the job's lease).
    func worksOn(_ job: JobKey) -> Bool
    /// Whether a create of `job` that may take up to `callTime` may be sent now: this daemon's lease on
    /// the job lasts that long (renewed first when it would not). Always true without leases.
    func mayStartCall(of job: JobKey, taking callTime: Duration) async -> Bool

    func close() async
}

/// The jobs whose lease a heartbeat gained (taken over, or renewed at a new generation) and lost.
/// Also how many daemons beat now, this one included: they share `modelarts.rate_limit`.
public struct LeaseChanges: Sendable, Hashable {
    public var gained: Set<JobKey>
    public var lost: Set<JobKey>
    public var liveDaemons: Int

    public init(gained: Set<JobKey> = [], lost: Set<JobKey> = [], liveDaemons: Int = 1) {
        self.gained = gained
        self.lost = lost
        self.liveDaemons = liveDaemons
    }
}

extension SubmissionStorage {
    /// A store without a thread of its own answers through a task.
    public func insert(_ new: NewSubmission, completion: @escaping @Sendable (Result<InsertOutcome, any Error>) -> Void) {
        Task {
            do {
                completion(.success(try await insert(new)))
            } catch {
                completion(.failure(error))
            }
        }
    }

    public func events(
        after: Int64, submission: String? = nil, jobID: Int64? = nil, limit: Int = SubmissionStore.defaultEventLimit
    ) async throws -> EventsPage {
        try await events(after: after, submission: submission, jobID: jobID, limit: limit)
    }

    /// `apply` for a state change, returning the API view: the form the stores' own tests use.
    @discardableResult
    public func transition(
        id: String, from: SubmissionState, to: SubmissionState, changes: SubmissionChanges = .none,
        attempt: AttemptWrite? = nil, reason: String? = nil, at: Date = Date()
    ) async throws -> SubmissionView? {
        try await apply(
            SubmissionWrite(expected: from, next: to, changes: changes, attempt: attempt, reason: reason, at: at), id: id
        )?.view
    }
}

/// One daemon has its SQLite file to itself: it works on every job, and there are no leases to keep.
extension SubmissionStore: SubmissionStorage {
    public nonisolated var leaseHeartbeat: Duration? { nil }
    public func maintainLeases() -> LeaseChanges { LeaseChanges() }
    public nonisolated func worksOn(_ job: JobKey) -> Bool { true }
    public nonisolated func mayStartCall(of job: JobKey, taking callTime: Duration) async -> Bool { true }
}
