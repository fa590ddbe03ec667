import Foundation
import JSONTree
import Synchronization
import PostgresNIO
import TrainQAPI
import TrainQStore

extension PostgresSubmissionStore {
    /// How often a waiter looks at the counter for events (one small read): the bound on how late
    /// `follow` on one daemon sees what another daemon wrote.
    static let eventPollInterval: Duration = .milliseconds(250)

    /// The highest committed seq: the counter, which never goes back when retention deletes events.
    public func lastSequence() async throws -> Int64 {
        let seq = try await read("read the event counter") { connection in
            try await connection.rows("SELECT seq FROM event_counter", logger: self.logger).first?.decode(Int64.self) ?? 0
        }
        sawSequence(seq)
        return seq
    }

    public func events(after: Int64, submission: String?, jobID: Int64?, limit: Int) async throws -> EventsPage {
        let limit = min(max(limit, 1), SubmissionStore.maximumEventLimit)
        var binds = PostgresBindings()
        binds.append(after)
        var conditions = ["seq > $1"]
        if let submission {
            binds.append(submission)
            conditions.append("submission_id = $\(binds.count)")
        }
        if let jobID {
            binds.append(jobID)
            conditions.append("job_id = $\(binds.count)")
        }
        binds.append(Int64(limit))
        let sql = """
            SELECT seq, at, submission_id, job_id, state, remote_code::int8, remote_name, reason, (SELECT seq FROM event_counter) AS counter_seq
            FROM events WHERE \(conditions.joined(separator: " AND ")) ORDER BY seq LIMIT $\(binds.count)
            """
        let (events, counter) = try await read("read events") { [binds] connection -> ([EventView], Int64?) in
            var counter: Int64?
            let events = try await connection.rows(PostgresQuery(unsafeSQL: sql, binds: binds), logger: self.logger).map { row in
                let (seq, at, submissionID, jobID, state, code, name, reason, last) =
                    try row.decode((Int64, Int64, String, Int64, String, Int64?, String?, String?, Int64).self)
                counter = last
                return EventView(
                    seq: seq, at: EpochMilliseconds.date(at), submission: submissionID, jobID: jobID > 0 ? jobID : nil,
                    state: try SubmissionRowDecoder.decodeState(state, submission: submissionID),
                    remoteStatus: PostgresTables.remoteStatus(code: code, name: name), reason: reason)
            }
            return (events, counter)
        }
        let last: Int64
        if let counter { last = counter } else { last = try await lastSequence() }
        sawSequence(last)
        return EventsPage(events: events, lastSeq: max(last, events.last?.seq ?? 0))
    }

    /// Waits for an event above `after`, from this daemon or another: it looks at the counter every
    /// `eventPollInterval`, so another daemon's event is seen within that bound.
    public func waitForEvents(after: Int64, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !Task.isCancelled, !closed.load(ordering: .relaxed) {
            if seenSequence.load(ordering: .relaxed) > after { return true }
            if let last = try? await lastSequence(), last > after { return true }
            let left = deadline - .now
            guard left > .zero else { return false }
            do { try await Task.sleep(for: min(left, Self.eventPollInterval)) } catch { return false }
        }
        return false
    }

    func sawSequence(_ seq: Int64) {
        _ = seenSequence.max(seq, ordering: .relaxed)
    }
}
