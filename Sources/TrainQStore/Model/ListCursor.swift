import Foundation

/// The position after the last row of a page: its `(created_at, id)`, the list's sort key.
/// Handed out as base64url of a small JSON object, so it is opaque to callers and cheap to check.
struct ListCursor: Codable, Hashable {
    var createdAt: Int64
    var id: String

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
