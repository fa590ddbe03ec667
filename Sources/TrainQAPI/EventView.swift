import Foundation

/// A state or remote-status change, as `GET /v1/events` returns it and the follow stream sends it.
public struct EventView: Sendable, Codable, Hashable {
    public var seq: Int64
    public var at: Date
    public var submission: String
    public var jobID: Int64
    public var state: SubmissionState
    public var remoteStatus: RemoteStatus?
    public var reason: String?

    public init(
        seq: Int64, at: Date, submission: String, jobID: Int64, state: SubmissionState,
        remoteStatus: RemoteStatus? = nil, reason: String? = nil
    ) {
        self.seq = seq
        self.at = at
        self.submission = submission
        self.jobID = jobID
        self.state = state
        self.remoteStatus = remoteStatus
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case seq, at, submission, state, reason
        case jobID = "job_id"
        case remoteStatus = "remote_status"
    }
}

/// The long-poll answer: events above `after`, and the highest sequence number the daemon knows.
public struct EventsPage: Sendable, Codable, Hashable {
    public var events: [EventView]
    public var lastSeq: Int64

    public init(events: [EventView], lastSeq: Int64) {
        self.events = events
        self.lastSeq = lastSeq
    }

    enum CodingKeys: String, CodingKey {
        case events
        case lastSeq = "last_seq"
    }
}
