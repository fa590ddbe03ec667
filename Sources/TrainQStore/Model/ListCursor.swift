import Foundation
import TrainQAPI

/// The position after the last row of a page: its `(created_at, id)`, the list's sort key.
/// Handed out as base64url of a small JSON object, so it is opaque to callers and cheap to check.
public struct ListCursor: Codable, Hashable, Sendable {
    public var createdAt: Int64
    public var id: String

    enum CodingKeys: String, CodingKey {
        case createdAt = "c"
        case id = "i"
    }

    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = (try? encoder.encode(self)) ?? Data()
        return json.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Reads a cursor back; anything that is not one of ours is an `invalidCursor` error.
    init(decoding text: String) throws(StoreError) {
        let invalid = StoreError(kind: .invalidCursor, reason: "the cursor is not one this daemon handed out")
        guard !text.isEmpty, text.count <= 512,
            text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { throw invalid }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
            let cursor = try? JSONDecoder().decode(ListCursor.self, from: data),
            !cursor.id.isEmpty
        else { throw invalid }
        self = cursor
    }

    init(createdAt: Int64, id: String) {
        self.createdAt = createdAt
        self.id = id
    }
}

/// One list request as every store reads it: the limit kept in range and the cursor checked, and the
/// page built from the `limit + 1` rows fetched (the extra row says another page follows).
public struct ListWindow: Sendable {
    public let limit: Int
    public let after: ListCursor?

    /// A cursor not handed out by a store is an `invalidCursor`; a limit below 1 an `invalidQuery`.
    public init(_ query: SubmissionQuery) throws(StoreError) {
        guard query.limit >= 1 else {
            throw StoreError(kind: .invalidQuery, reason: "limit must be at least 1, not \(query.limit)")
        }
        limit = min(query.limit, SubmissionQuery.maximumLimit)
        after = try query.cursor.map { text throws(StoreError) in try ListCursor(decoding: text) }
    }

    /// How many rows to fetch: one more than the page.
    public var fetchLimit: Int { limit + 1 }

    public func page(_ fetched: [StoredSubmission]) -> SubmissionList {
        let rows = fetched.prefix(limit)
        let nextCursor = fetched.count > limit
            ? rows.last.map { ListCursor(createdAt: EpochMilliseconds.from($0.view.createdAt), id: $0.id).encoded() }
            : nil
        return SubmissionList(submissions: rows.map(\.view), nextCursor: nextCursor)
    }
}
