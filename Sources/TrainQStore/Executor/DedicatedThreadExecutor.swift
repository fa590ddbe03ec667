import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A serial executor that runs its jobs on one thread of its own.
///
/// SQLite calls block (an fsync per commit with `synchronous=FULL`); on the cooperative pool, which
/// has as many threads as cores, they would stall every other task. An actor that returns this
/// executor as its `unownedExecutor` keeps all of its blocking work here instead.
public final class DedicatedThreadExecutor: SerialExecutor, @unchecked Sendable {
    /// Lifecycle of the thread; guarded by `condition`.
    private enum State {
        case running
        /// No more jobs are expected: the thread drains what is queued, then exits.
        case stopping
    }

    /// What the thread runs: a task's job, or a plain closure from a thread that has no task (an event
    /// loop handing over a submission without starting one).
    private enum Work {
        case job(UnownedJob)
        case closure(@Sendable () -> Void)
    }

    // @unchecked Sendable: every mutable field below is guarded by `condition`.
    private let condition = NSCondition()
    private var state = State.running
    private var jobs: [Work] = []
    private var threadID: pthread_t?
    public let name: String

    /// Starts the thread at once; it sleeps until a job arrives.
    public init(name: String) {
        self.name = name
        let thread = Thread { [self] in
            self.runLoop()
        }
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        append(.job(UnownedJob(job)))
    }

    /// Runs `work` on the thread, in order with the jobs, without a task: the closure may use
    /// `assumeIsolated` of an actor whose executor this is.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        append(.closure(work))
    }

    private func append(_ work: Work) {
        condition.lock()
        jobs.append(work)
        condition.signal()
        condition.unlock()
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Lets `assumeIsolated` work for code that runs on this thread outside a job.
    public func checkIsolated() {
        precondition(isCurrentThread, "expected to run on the \(name) thread")
    }

    /// True when the caller runs on this executor's thread.
    public var isCurrentThread: Bool {
        condition.lock()
        defer { condition.unlock() }
        guard let threadID else { return false }
        return pthread_equal(threadID, pthread_self()) != 0
    }

    /// Jobs waiting to run (not counting the one running now).
    public var queuedJobCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count
    }

    /// Lets the thread end once the queued jobs have run. Jobs enqueued later still run first:
    /// the thread only exits on an empty queue.
    public func shutdown() {
        condition.lock()
        state = .stopping
        condition.signal()
        condition.unlock()
    }

    private func runLoop() {
        // Named from inside: only then does Foundation pass the name on to the system thread
        // (for `top -H` and debuggers).
        Thread.current.name = name
        condition.lock()
        threadID = pthread_self()
        condition.unlock()
        while true {
            condition.lock()
            while jobs.isEmpty, case .running = state {
                condition.wait()
            }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            // Take every queued job at once: one lock round per burst, order kept.
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            let executor = asUnownedSerialExecutor()
            for work in batch {
                switch work {
                case .job(let job): job.runSynchronously(on: executor)
                case .closure(let closure): closure()
                }
            }
        }
    }
}
