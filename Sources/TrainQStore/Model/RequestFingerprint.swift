import Crypto
import Foundation
import JSONTree

/// What makes two submissions "the same request" for an idempotency key: project, job and body.
/// SHA-256 of their canonical JSON, so a replay is recognised whatever the key order or spacing.
public enum RequestFingerprint {
    /// Hashes `{"job_id":…,"project_id":…,"request":…}` written canonically around the request's
    /// canonical bytes (the keys are already in sorted order), so the request is not written twice.
    public static func of(projectID: String, jobID: Int64, canonicalRequest: [UInt8]) -> Data {
        var writer = JSONWriter(reservingCapacity: canonicalRequest.count + 96)
        writer.writeRaw(#"{"job_id":"#.utf8)
        writer.write(jobID)
        writer.writeRaw(#","project_id":"#.utf8)
        writer.write(projectID)
        writer.writeRaw(#","request":"#.utf8)
        writer.writeRaw(canonicalRequest)
        writer.writeRaw("}".utf8)
        return Data(SHA256.hash(data: writer.bytes))
    }

    /// A batch's one fingerprint: SHA-256 over its items' fingerprints, in order.
    public static func ofBatch(_ items: [NewSubmission], canonicalRequests: [[UInt8]]) -> Data {
        var hasher = SHA256()
        for (item, canonicalRequest) in zip(items, canonicalRequests) {
            hasher.update(data: of(projectID: item.projectID, jobID: item.jobID, canonicalRequest: canonicalRequest))
        }
        return Data(hasher.finalize())
    }
}
