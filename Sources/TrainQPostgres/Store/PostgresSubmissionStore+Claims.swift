import Foundation
import JSONTree
import Synchronization
import PostgresNIO
import TrainQAPI
import TrainQStore

extension PostgresSubmissionStore {
    /// What this daemon may start now, chosen as every store chooses (`DueWork.choose`), among jobs
    /// that have no create open anywhere and whose lease no other daemon holds. Each chosen head is
    /// claimed in this transaction: its row locked with `FOR UPDATE SKIP LOCKED` (a head another daemon
    /// is claiming right now is skipped, not waited for) and its job's lease taken.
    public func dueWork(now: Date, busyJobs: Set<JobKey>, limit: Int) async throws -> DueWork {
        let me = instanceName
        let began = ContinuousClock.now
        return try await transaction("claim due work") { connection in
            let tables = PostgresTables(connection: connection, logger: self.logger)
            let heads = try await tables.waitingHeads()
            var busy = busyJobs.union(try await tables.jobsWithOpenCreate())
            for row in try await tables.rows(
                "SELECT project_id, job_id FROM job_leases WHERE holder <> \(me) AND expires_at > now()")
            {
                let (projectID, jobID) = try row.decode((String, Int64).self)
                busy.insert(JobKey(projectID: projectID, jobID: jobID))
            }
            let choice = DueWork.choose(from: heads, busy: busy, now: now, limit: limit)
            var chosen: [StoredSubmission] = []
            for head in choice.chosen {
                let locked = try await tables.rows(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT id FROM submissions WHERE id = $1 AND state IN (\(PostgresTables.waitingStates))
                            FOR UPDATE SKIP LOCKED
                            """, binds: PostgresTables.binds(head.id)))
                guard !locked.isEmpty, try await self.acquireLease(of: head.job, began: began, tables: tables) != nil,
                    let stored = try await tables.submission(id: head.id, includeHistory: false)
                else { continue }
                chosen.append(stored)
            }
            return DueWork(due: chosen, moreDue: choice.moreDue, nextDueAt: choice.nextDueAt)
        }
    }

    /// The submissions in `state` that this daemon works on: for a create in flight, under
    /// reconciliation or a tracked run, only those of jobs whose lease it holds; every daemon's otherwise.
    public func submissions(in state: SubmissionState) async throws -> [StoredSubmission] {
        let leased = state == .submitting || state == .reconciling || state == .tracking
        let sql =
            leased
            ? """
            SELECT \(SubmissionRowDecoder.columns) FROM submissions s
            WHERE state = $1 AND EXISTS (SELECT 1 FROM job_leases l WHERE l.project_id = s.project_id
                AND l.job_id = s.job_id AND l.holder = $2)
            ORDER BY created_at, id
            """
            : "SELECT \(SubmissionRowDecoder.columns) FROM submissions WHERE state = $1 ORDER BY created_at, id"
        let binds = leased ? PostgresTables.binds(state.rawValue, instanceName) : PostgresTables.binds(state.rawValue)
        return try await read("read submissions by state") { connection in
            try await PostgresTables(connection: connection, logger: self.logger).submissions(sql, binds: binds)
        }
    }
}
