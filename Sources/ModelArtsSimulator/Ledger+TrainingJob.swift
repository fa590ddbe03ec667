import JSONTree

extension Ledger {
    /// One v2 training job created through the API (seeded jobs are not listed).
    public struct TrainingJobEntry: Sendable, Hashable, Codable {
        public var id: String
        public var name: String
        public var kind: String
        /// Epoch milliseconds.
        public var createTime: Int64
        /// The phase right now (a `flap` job mid-run shows Running here even before its false Failed is read).
        public var phase: String
        /// A delete was accepted (the job may still be readable for a while).
        public var deleted: Bool
        /// The create succeeded but its answer was deliberately lost.
        public var responseLost: Bool
        /// The create body exactly as sent.
        public var body: JSONValue
        /// When a caller last read the job (show, or a search page with it): epoch milliseconds, nil if never.
        public var lastReadAt: Int64?

        enum CodingKeys: String, CodingKey {
            case id, name, kind, phase, deleted, body
            case createTime = "create_time"
            case responseLost = "response_lost"
            case lastReadAt = "last_read_at"
        }
    }
}
