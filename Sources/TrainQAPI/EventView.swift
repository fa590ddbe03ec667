import Foundation

/// A state or remote-status change, as `GET /v1/events` returns it and the follow stream sends it.
public struct EventView: Sendable, Codable, Hashable {
    public var seq: Int64
    public var at: Date
    public var submission: String
    /// The v1 job; nil for a v2 training job, which belongs to no v1 job.
    public var jobID: Int64?
    public var state: SubmissionState
    public var remoteStatus: RemoteStatus?
    public var reason: String?

    public init(
        seq: Int64, at: Date, submission: String, jobID: Int64?, state: SubmissionState,
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

    /// `job_id` is written as `null` for a v2 job, as the hand-written form does.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(seq, forKey: .seq)
        try container.encode(at, forKey: .at)
        try container.encode(submission, forKey: .submission)
        try container.encode(jobID, forKey: .jobID)
        try container.encode(state, forKey: .state)
        try container.encodeIfPresent(remoteStatus, forKey: .remoteStatus)
        try container.encodeIfPresent(reason, forKey: .reason)
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
