import Crypto
import Foundation
import JSONTree

/// What makes two submissions "the same request" for an idempotency key: project, job and body.
/// SHA-256 of their canonical JSON, so a replay is recognised whatever the key order or spacing.
enum RequestFingerprint {
    static func of(projectID: String, jobID: Int64, request: JSONValue) -> Data {
        let document = JSONValue.object([
            "project_id": .string(projectID), "job_id": .integer(jobID), "request": request,
        ])
        return Data(SHA256.hash(data: document.canonicalData()))
    }
}
