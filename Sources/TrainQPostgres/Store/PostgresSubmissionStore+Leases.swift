import Foundation
#if canImport(Glibc)
import Glibc
#endif
import JSONTree
import Synchronization
import PostgresNIO
import TrainQAPI
import TrainQStore

/// Job leases: which daemon works on a job's creates and tracked runs. One row per `(project_id,
/// job_id)` in `job_leases`, timed by the database's `now()`, never by a host's clock.
extension PostgresSubmissionStore {
    /// The states whose rows a job's lease holder alone works on.
    static let leasedStates = SubmissionState.sqlList { $0 == .submitting || $0 == .reconciling || $0 == .tracking }

    /// True when this daemon may make the write `fence` guards on `id`'s job: for `.acquire`, it took or
    /// renewed the lease; for `.hold`, it holds the lease, unexpired, at the generation it knows. Either
    /// way the lease row stays locked until the commit, so a takeover cannot slip in before the write.
    func holdsLease(of id: String, fence: LeaseFence, began: ContinuousClock.Instant, tables: PostgresTables) async throws -> Bool {
        guard
            let (projectID, jobID) = try await tables.rows("SELECT project_id, job_id FROM submissions WHERE id = \(id)")
                .first?.decode((String, Int64).self)
        else { return false }
        let job = JobKey(projectID: projectID, jobID: jobID)
        switch fence {
        case .acquire:
            return try await acquireLease(of: job, began: began, tables: tables) != nil
        case .hold:
            let found = try await tables.rows(
                """
                SELECT generation FROM job_leases
                WHERE project_id = \(projectID) AND job_id = \(jobID) AND holder = \(instanceName) AND expires_at > now()
                FOR SHARE
                """)
            guard let generation = try found.first?.decode(Int64.self) else { return false }
            return leases.withLock { $0[job]?.generation } == generation
        }
    }

    /// Takes or renews the lease of `job` for this daemon when it is free, expired or already ours;
    /// returns its generation, or nil when another daemon holds it. The generation goes up only when the
    /// holder changes. `began` is when this transaction began on this host (before `now()` on the
    /// database): the lease is known to last until `began + leaseDuration`, never longer.
    func acquireLease(of job: JobKey, began: ContinuousClock.Instant, tables: PostgresTables) async throws -> Int64? {
        let seconds = configuration.leaseSeconds
        let found = try await tables.rows(
            """
            INSERT INTO job_leases (project_id, job_id, holder, generation, expires_at)
            VALUES (\(job.projectID), \(job.jobID), \(instanceName), 1, now() + make_interval(secs => \(seconds)))
            ON CONFLICT (project_id, job_id) DO UPDATE SET
                holder = EXCLUDED.holder,
                generation = CASE WHEN job_leases.holder = EXCLUDED.holder THEN job_leases.generation
                    ELSE job_leases.generation + 1 END,
                expires_at = EXCLUDED.expires_at
            WHERE job_leases.holder = EXCLUDED.holder OR job_leases.expires_at <= now()
            RETURNING generation
            """)
        guard let generation = try found.first?.decode(Int64.self) else { return nil }
        leases.withLock { $0[job] = HeldLease(generation: generation, since: began) }
        return generation
    }

    /// The heartbeat: renews every lease this daemon holds, gives back those of jobs with nothing left to
    /// do, and takes over the jobs whose holder let its lease expire while they had creates in flight,
    /// under reconciliation or tracked. Returns the jobs gained and lost since the last beat.
    public func maintainLeases() async throws -> LeaseChanges {
        let seconds = configuration.leaseSeconds
        let me = instanceName
        let beganAt = ContinuousClock.now
        let before = leases.withLock { $0 }
        let host = ProcessInfo.processInfo.hostName
        let pid = Int64(getpid())
        let (held, liveDaemons) = try await transaction("renew job leases") { connection -> ([JobKey: Int64], Int) in
            let tables = PostgresTables(connection: connection, logger: self.logger)
            try await tables.run(
                """
                INSERT INTO daemons (name, host, pid, started_at, beat_at) VALUES (\(me), \(host), \(pid), now(), now())
                ON CONFLICT (name) DO UPDATE SET host = EXCLUDED.host, pid = EXCLUDED.pid, beat_at = now(),
                    started_at = CASE WHEN daemons.pid = EXCLUDED.pid AND daemons.host = EXCLUDED.host
                        THEN daemons.started_at ELSE now() END
                """)
            let live = try await tables.rows(
                "SELECT COUNT(*) FROM daemons WHERE beat_at > now() - make_interval(secs => \(seconds))"
            ).first?.decode(Int64.self) ?? 1
            try await tables.run(
                PostgresQuery(
                    unsafeSQL: """
                        DELETE FROM job_leases l WHERE l.holder = $1 AND NOT EXISTS (
                            SELECT 1 FROM submissions s WHERE s.project_id = l.project_id AND s.job_id = l.job_id
                                AND s.state IN (\(Self.leasedStates), \(PostgresTables.waitingStates)))
                        """, binds: PostgresTables.binds(me)))
            var held: [JobKey: Int64] = [:]
            for row in try await tables.rows(
                """
                UPDATE job_leases SET expires_at = now() + make_interval(secs => \(seconds))
                WHERE holder = \(me) RETURNING project_id, job_id, generation
                """)
            {
                let (projectID, jobID, generation) = try row.decode((String, Int64, Int64).self)
                held[JobKey(projectID: projectID, jobID: jobID)] = generation
            }
            // Jobs with leased work whose lease is gone or expired: ours now. SKIP LOCKED leaves a lease row
            // another daemon is renewing or taking at this moment to it.
            let orphaned = try await tables.rows(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT DISTINCT s.project_id, s.job_id FROM submissions s
                        LEFT JOIN job_leases l ON l.project_id = s.project_id AND l.job_id = s.job_id
                        WHERE s.state IN (\(Self.leasedStates)) AND (l.holder IS NULL OR (l.holder <> $1 AND l.expires_at <= now()))
                        """, binds: PostgresTables.binds(me))
            ).map { row in
                let (projectID, jobID) = try row.decode((String, Int64).self)
                return JobKey(projectID: projectID, jobID: jobID)
            }
            for job in orphaned {
                let locked = try await tables.rows(
                    """
                    SELECT 1 FROM job_leases WHERE project_id = \(job.projectID) AND job_id = \(job.jobID)
                    FOR UPDATE SKIP LOCKED
                    """)
                let exists = try await !tables.rows(
                    "SELECT 1 FROM job_leases WHERE project_id = \(job.projectID) AND job_id = \(job.jobID)"
                ).isEmpty
                guard !locked.isEmpty || !exists else { continue }
                if let generation = try await self.acquireLease(of: job, began: beganAt, tables: tables) {
                    held[job] = generation
                }
            }
            return (held, Int(max(1, live)))
        }
        // A lease a claim took while this beat ran is kept, though the beat did not see it.
        let after = leases.withLock { leases in
            leases = leases.filter { job, lease in held[job] == lease.generation || lease.since > beganAt }
            for (job, generation) in held where leases[job]?.generation != generation {
                leases[job] = HeldLease(generation: generation, since: beganAt)
            }
            return leases
        }
        let gained = Set(after.keys.filter { before[$0]?.generation != after[$0]?.generation })
        let lost = Set(before.keys.filter { after[$0]?.generation != before[$0]?.generation })
        if !gained.isEmpty || !lost.isEmpty {
            logger.notice(
                "job leases changed",
                metadata: ["gained": "\(gained.count)", "lost": "\(lost.count)", "held": "\(after.count)"])
        }
        return LeaseChanges(gained: gained, lost: lost, liveDaemons: liveDaemons)
    }

    public var leaseHeartbeat: Duration? { configuration.heartbeatInterval }

    public func worksOn(_ job: JobKey) -> Bool {
        leases.withLock { $0[job] != nil }
    }

    /// A create goes out only while this daemon's lease on its job outlasts the call, counted from before
    /// the transaction that last renewed it: a daemon cut off from the database stops sending before
    /// another may take the job over. A lease too short is renewed first (at the same generation; a
    /// takeover meanwhile refuses).
    public func mayStartCall(of job: JobKey, taking callTime: Duration) async -> Bool {
        func lasts() -> Bool {
            guard let held = leases.withLock({ $0[job] }) else { return false }
            return ContinuousClock.now + callTime < held.since + configuration.leaseDuration
        }
        if lasts() { return true }
        guard let known = leases.withLock({ $0[job]?.generation }) else { return false }
        let began = ContinuousClock.now
        do {
            let renewed = try await transaction("renew a job lease") { connection in
                try await self.acquireLease(of: job, began: began, tables: PostgresTables(connection: connection, logger: self.logger))
            }
            guard renewed == known else {
                logger.warning(
                    "job lease lost before a create went out", metadata: ["job_id": "\(job.jobID)", "project_id": "\(job.projectID)"])
                return false
            }
            return lasts()
        } catch {
            logger.warning("could not renew a job lease before a create; not sending it", metadata: ["error": "\(error)"])
            return false
        }
    }
}
