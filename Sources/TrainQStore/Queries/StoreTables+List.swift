import Foundation
import TrainQAPI

extension StoreTables {
    /// Up to `limit` submissions, newest first, after `cursor` in `(created_at, id)` order, with attempts
    /// and without history.
    func list(
        state: SubmissionState?, jobID: Int64?, ownerUID: UInt32?, after cursor: ListCursor?, limit: Int
    ) throws -> [StoredSubmission] {
        var conditions: [String] = []
        if state != nil { conditions.append("state = :state") }
        if jobID != nil { conditions.append("job_id = :job_id") }
        if ownerUID != nil { conditions.append("owner_uid = :owner_uid") }
        if cursor != nil {
            conditions.append("(created_at < :cursor_created OR (created_at = :cursor_created AND id < :cursor_id))")
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        // One cached statement per combination of filters: at most sixteen texts.
        let select = try statement(
            """
            SELECT \(SubmissionRowDecoder.columns) FROM submissions \(whereClause)
            ORDER BY created_at DESC, id DESC LIMIT :limit
            """)
        if let state { try select.bind(state.rawValue, named: ":state") }
        if let jobID { try select.bind(jobID, named: ":job_id") }
        if let ownerUID { try select.bind(Int64(ownerUID), named: ":owner_uid") }
        if let cursor {
            try select.bind(cursor.createdAt, named: ":cursor_created")
            try select.bind(cursor.id, named: ":cursor_id")
        }
        try select.bind(Int64(limit), named: ":limit")
        return try submissions(from: select)
    }
}
