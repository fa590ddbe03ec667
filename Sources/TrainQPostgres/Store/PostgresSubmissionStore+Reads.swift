import Foundation
import JSONTree
import Synchronization
import PostgresNIO
import TrainQAPI
import TrainQStore

extension PostgresSubmissionStore {
    public func stored(id: String) async throws -> StoredSubmission? {
        try await read("read a submission") { connection in
            try await PostgresTables(connection: connection, logger: self.logger).submission(id: id, includeHistory: false)
        }
    }

    public func submission(id: String) async throws -> SubmissionView? {
        try await read("read a submission") { connection in
            try await PostgresTables(connection: connection, logger: self.logger).submission(id: id, includeHistory: true)?.view
        }
    }

    /// A page of every daemon's submissions, newest first, as the SQLite store pages them.
    public func list(_ query: SubmissionQuery) async throws -> SubmissionList {
        let window = try ListWindow(query)
        var conditions: [String] = []
        var binds = PostgresBindings()
        func bind(_ value: some PostgresNonThrowingEncodable & Sendable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        if let state = query.state { conditions.append("state = \(bind(state.rawValue))") }
        if let jobID = query.jobID { conditions.append("job_id = \(bind(jobID))") }
        if let ownerUID = query.ownerUID { conditions.append("owner_uid = \(bind(Int64(ownerUID)))") }
        if let cursor = window.after {
            let createdAt = bind(cursor.createdAt)
            conditions.append("(created_at < \(createdAt) OR (created_at = \(createdAt) AND id < \(bind(cursor.id))))")
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = """
            SELECT \(SubmissionRowDecoder.columns) FROM submissions \(whereClause)
            ORDER BY created_at DESC, id DESC LIMIT \(bind(Int64(window.fetchLimit)))
            """
        let fetched = try await read("list submissions") { [binds] connection in
            try await PostgresTables(connection: connection, logger: self.logger).submissions(sql, binds: binds)
        }
        return window.page(fetched)
    }

    public func countsByState() async throws -> [SubmissionState: Int] {
        let counted = try await read("count submissions") { connection in
            try await connection.rows("SELECT state, COUNT(*) FROM submissions GROUP BY state", logger: self.logger).map { row in
                try row.decode((String, Int64).self)
            }
        }
        var counts = Dictionary(uniqueKeysWithValues: SubmissionState.allCases.map { ($0, 0) })
        for (name, count) in counted {
            counts[try SubmissionRowDecoder.decodeState(name, submission: "(count)")] = Int(count)
        }
        return counts
    }

    public func oldestDue(now: Date) async throws -> Duration? {
        let heads = try await read("read due submissions") { connection in
            try await PostgresTables(connection: connection, logger: self.logger).waitingHeads()
        }
        guard let dueSince = DueWork.oldestDue(of: heads, now: now) else { return nil }
        return .milliseconds(max(0, EpochMilliseconds.from(now) - EpochMilliseconds.from(dueSince)))
    }
}
