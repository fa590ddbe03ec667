import Foundation
import PostgresNIO
import Testing
import TrainQAPI
import TrainQTestSupport

@testable import TrainQPostgres
@testable import TrainQStore

/// What only a shared database has: two daemons' stores on one PostgreSQL database, each under its own
/// `instance.name`. Leases are short (1 s) so that expiry happens within a test.
@Suite(.serialized, .enabled(if: PostgresTestServer.shouldRun)) struct SharedDatabaseStoreTests {
    static let lease = Duration.seconds(1)
    static let job10 = JobKey(projectID: projectID, jobID: 10)

    /// Two stores, `a` and `b`, on one fresh database.
    private func withTwoDaemons(
        _ body: (PostgresSubmissionStore, PostgresSubmissionStore) async throws -> Void
    ) async throws {
        try await PostgresTestServer.withFreshDatabase { settings in
            let a = try await PostgresSubmissionStore.open(
                settings: settings, configuration: PostgresStoreConfiguration(instanceName: "a", leaseDuration: Self.lease),
                logger: testLogger)
            let b = try await PostgresSubmissionStore.open(
                settings: settings, configuration: PostgresStoreConfiguration(instanceName: "b", leaseDuration: Self.lease),
                logger: testLogger)
            do {
                try await body(a, b)
            } catch {
                await a.close()
                await b.close()
                throw error
            }
            await a.close()
            await b.close()
        }
    }

    /// Starts the head of job 10 on `store` as the submitter does: claims it, then moves it to `submitting`.
    private func startCreate(on store: PostgresSubmissionStore) async throws -> StoredSubmission? {
        let due = try await store.dueWork(now: Date(), busyJobs: [], limit: 10)
        guard let head = due.due.first(where: { $0.jobKey == Self.job10 }) else { return nil }
        _ = try await store.transition(id: head.id, from: head.state, to: .submitting, attempt: .begin(at: Date()))
        return try await store.stored(id: head.id)
    }

    @Test func aJobsCreatesGoThroughOneDaemonAtATime() async throws {
        try await withTwoDaemons { a, b in
            _ = try await create(a, newSubmission(jobID: 10, at: Date()))
            _ = try await create(b, newSubmission(jobID: 10, at: Date()))
            let started = try #require(try await startCreate(on: a))
            let other = try await create(b, newSubmission(jobID: 11, at: Date()))

            #expect(started.state == .submitting)
            #expect(a.worksOn(Self.job10) && !b.worksOn(Self.job10))
            // b skips job 10, whose lease a holds, and takes job 11.
            let due = try await b.dueWork(now: Date(), busyJobs: [], limit: 10)
            #expect(due.due.map(\.id) == [other.id])
            // b cannot start the create a claimed: the fence refuses, and nothing changes.
            #expect(try await b.transition(id: started.id, from: .submitting, to: .reconciling) == nil)
            #expect(try await a.stored(id: started.id)?.state == .submitting)
        }
    }

    @Test func aSuccessorTakesOverAnExpiredLeaseAndTheLateDaemonCannotWrite() async throws {
        try await withTwoDaemons { a, b in
            let submission = try await create(a, newSubmission(jobID: 10, at: Date()))
            _ = try #require(try await startCreate(on: a))
            // a goes silent; once its lease has run out on the database's clock, b's heartbeat takes the job.
            var gained: Set<JobKey> = []
            for _ in 0..<40 where gained.isEmpty {
                try await Task.sleep(for: .milliseconds(100))
                gained = try await b.maintainLeases().gained
            }
            #expect(gained == [Self.job10])
            #expect(try await b.submissions(in: .submitting).map(\.id) == [submission.id])
            #expect(try await a.submissions(in: .submitting).isEmpty)

            // a comes back late: its outcome is not written, and it may not send another create.
            #expect(try await a.transition(id: submission.id, from: .submitting, to: .retrying) == nil)
            #expect(await !a.mayStartCall(of: Self.job10, taking: .milliseconds(10)))
            // Its own heartbeat tells it the job is gone.
            #expect(try await a.maintainLeases().lost == [Self.job10])
            // The successor reconciles the create.
            #expect(try await b.transition(id: submission.id, from: .submitting, to: .reconciling)?.state == .reconciling)
        }
    }

    @Test func aCreateThatWouldOutlastTheLeaseRenewsItFirst() async throws {
        try await withTwoDaemons { a, b in
            _ = try await create(a, newSubmission(jobID: 10, at: Date()))
            _ = try #require(try await startCreate(on: a))
            #expect(await a.mayStartCall(of: Self.job10, taking: .milliseconds(100)))
            // Half the lease later, a call of most of a lease does not fit: the lease is renewed for it.
            try await Task.sleep(for: .milliseconds(500))
            #expect(await a.mayStartCall(of: Self.job10, taking: .milliseconds(800)))
            // Past the first lease's end, the job is still a's.
            try await Task.sleep(for: .milliseconds(700))
            #expect(try await b.maintainLeases().gained.isEmpty)
            // A call longer than any lease is never allowed.
            #expect(await !a.mayStartCall(of: Self.job10, taking: .seconds(2)))
        }
    }

    @Test func oneIdempotencyKeySentToTwoDaemonsAtOnceMakesOneSubmission() async throws {
        try await withTwoDaemons { a, b in
            for round in 0..<10 {
                let key = "race-\(round)"
                async let first = a.insert(newSubmission(key: key, at: Date()))
                async let second = b.insert(newSubmission(key: key, at: Date()))
                let outcomes = try await [first, second]
                let created = outcomes.compactMap(\.created)
                let replayed = outcomes.compactMap(\.replayed)
                #expect(created.count == 1 && replayed.count == 1, "\(outcomes)")
                #expect(created.first?.id == replayed.first?.id)
            }
            #expect(try await count("submissions", in: a) == 10)
        }
    }
}

/// Intake's group commit on PostgreSQL: concurrent inserts share transactions, and still each get their
/// own event in one gap-free order; a key sent twice at once is one submission and a replay with history.
@Suite(.enabled(if: PostgresTestServer.shouldRun)) struct PostgresGroupCommitTests {
    @Test func concurrentInsertsAreAllStoredWithOneOrderOfEvents() async throws {
        try await withStore(.postgres) { store async throws in
            let total = 200
            let outcomes = try await withThrowingTaskGroup(of: InsertOutcome.self) { group in
                for index in 0..<total {
                    // Every tenth request is sent twice at once under one key.
                    let key: String? = index % 10 == 0 ? "twice-\(index / 10)" : nil
                    group.addTask { try await store.insert(newSubmission(description: "burst \(index / 10 * 10)", key: key, at: time(Double(index)))) }
                    if index % 10 == 0 {
                        group.addTask { try await store.insert(newSubmission(description: "burst \(index)", key: key, at: time(Double(index)))) }
                    }
                }
                return try await group.reduce(into: [InsertOutcome]()) { $0.append($1) }
            }
            let created = outcomes.compactMap(\.created)
            let replayed = outcomes.compactMap(\.replayed)
            #expect(created.count == total && replayed.count == total / 10, "\(outcomes.count)")
            #expect(Set(replayed.map(\.id)).isSubset(of: Set(created.map(\.id))))
            #expect(replayed.allSatisfy { $0.history.map(\.state) == [.queued] })
            let seqs = created.compactMap { $0.history.last?.seq }.sorted()
            #expect(seqs == Array(1...Int64(total)), "\(seqs.prefix(5))")
            #expect(try await count("submissions", in: store) == Int64(total))
            #expect(try await count("events", in: store) == Int64(total))
        }
    }
}

/// The claim's search for each job's next waiting submission reads a few index entries per job, not
/// every waiting row: with a backlog on one job, reading them all took most of the server's CPU.
@Suite(.enabled(if: PostgresTestServer.shouldRun)) struct PostgresWaitingHeadsPlanTests {
    @Test func findingTheHeadsDoesNotReadABacklog() async throws {
        try await withStore(.postgres) { store async throws in
            let backlog = 400
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<backlog {
                    group.addTask { _ = try await store.insert(newSubmission(jobID: 10, at: time(Double(index)))) }
                }
                for jobID in Int64(11)...13 {
                    group.addTask { _ = try await store.insert(newSubmission(jobID: jobID)) }
                }
                try await group.waitForAll()
            }
            guard let store = store as? PostgresSubmissionStore else { throw UnexpectedOutcome(description: "not PostgreSQL") }
            let plan = try await store.read("explain") { connection in
                try await connection.rows(
                    PostgresQuery(unsafeSQL: "EXPLAIN (ANALYZE, FORMAT JSON) " + PostgresTables.waitingHeadsSQL), logger: testLogger
                ).first.flatMap { row in row.makeRandomAccess()[0].bytes.map { String(buffer: $0) } } ?? ""
            }
            let heads = try await store.read("heads") { connection in
                try await PostgresTables(connection: connection, logger: testLogger).waitingHeads()
            }
            #expect(heads.map(\.job.jobID) == [10, 11, 12, 13])
            #expect(heads.first?.nextAttemptAt == time(0))
            let read = try rowsRead(fromPlan: plan, relation: "submissions")
            #expect(read > 0 && read < 40, "the heads query read \(read) rows of submissions: \(plan)")
        }
    }

    /// The rows every scan of `relation` returned in an `EXPLAIN (ANALYZE, FORMAT JSON)`, over all loops.
    private func rowsRead(fromPlan plan: String, relation: String) throws -> Int {
        func walk(_ node: [String: Any]) -> Int {
            var total = 0
            if node["Relation Name"] as? String == relation {
                total += ((node["Actual Rows"] as? Int) ?? 0) * ((node["Actual Loops"] as? Int) ?? 1)
            }
            for child in node["Plans"] as? [[String: Any]] ?? [] { total += walk(child) }
            return total
        }
        guard let top = try JSONSerialization.jsonObject(with: Data(plan.utf8)) as? [[String: Any]],
            let root = top.first?["Plan"] as? [String: Any]
        else { throw UnexpectedOutcome(description: "no plan in \(plan)") }
        return walk(root)
    }
}
