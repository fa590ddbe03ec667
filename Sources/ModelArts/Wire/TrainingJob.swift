import Foundation
import JSONTree

/// A v2 training job as create (201), show (200), terminate (202) and search items return it (errata
/// §4.3). `metadata.id` is the one field we cannot do without: it is the job to poll.
public struct TrainingJob: Sendable, Hashable {
    /// `metadata.id`, a UUID string.
    public var id: String
    public var name: String?
    /// `metadata.create_time`, epoch milliseconds.
    public var createTime: Int64?
    public var phase: TrainingJobPhase?
    /// Logged, never branched on: the documentation says not to depend on it.
    public var secondaryPhase: String?
    /// `status.start_time`, epoch milliseconds; 0 until the job starts.
    public var startTime: Int64?
    /// `status.duration`, milliseconds.
    public var duration: Int64?
    /// The whole job as sent, kept as the final word on how it ended and as the source of a copy.
    public var raw: [String: JSONValue]

    public init(
        id: String, name: String? = nil, createTime: Int64? = nil, phase: TrainingJobPhase? = nil,
        secondaryPhase: String? = nil, startTime: Int64? = nil, duration: Int64? = nil, raw: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.name = name
        self.createTime = createTime
        self.phase = phase
        self.secondaryPhase = secondaryPhase
        self.startTime = startTime
        self.duration = duration
        self.raw = raw
    }

    public init(_ object: LenientObject) throws(WireDecodingError) {
        let metadata = object.object("metadata")
        guard let id = metadata?.string("id"), !id.isEmpty else {
            throw WireDecodingError(context: object.context, problem: "missing metadata.id")
        }
        let status = object.object("status")
        self.init(
            id: id, name: metadata?.string("name"), createTime: metadata?.int64("create_time"),
            phase: status?.string("phase").map(TrainingJobPhase.init), secondaryPhase: status?.string("secondary_phase"),
            startTime: status?.int64("start_time"), duration: status?.int64("duration"), raw: object.members)
    }

    public static func decode(_ body: Data) throws(WireDecodingError) -> TrainingJob {
        try TrainingJob(LenientObject(body: body, context: "training job"))
    }
}

/// The answer to `training-job-searches`: `count` matching jobs, of which `items` is one page.
public struct TrainingJobSearchResult: Sendable, Hashable {
    public var count: Int64?
    public var items: [TrainingJob]

    public init(count: Int64? = nil, items: [TrainingJob]) {
        self.count = count
        self.items = items
    }

    /// Items without a `metadata.id` are skipped rather than failing the page: they cannot be polled.
    public static func decode(_ body: Data) throws(WireDecodingError) -> TrainingJobSearchResult {
        let object = try LenientObject(body: body, context: "training job search")
        let items = (object.objects("items") ?? []).compactMap { item in try? TrainingJob(item) }
        return TrainingJobSearchResult(count: object.int64("count"), items: items)
    }
}
