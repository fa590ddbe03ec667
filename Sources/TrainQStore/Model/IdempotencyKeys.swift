import Foundation

/// How the items of a batch share the batch's one `Idempotency-Key` in the per-owner unique index:
/// item `i` is stored under `key` + U+001F + `i`. A caller's key is 1–255 visible ASCII characters,
/// so it can never name an item of a batch, and the single key and its batch items sort together.
public enum IdempotencyKeys {
    public static let batchSeparator = "\u{1F}"
    /// The first string after every key of the family of `key` (U+0020 sorts after the separator and
    /// before any visible character).
    public static let rangeEnd = "\u{20}"

    public static func batchItem(_ key: String, index: Int) -> String {
        key + batchSeparator + String(index)
    }

    /// The item index of a stored key of the family of `key`, or nil for the single key itself.
    public static func batchIndex(of storedKey: String, under key: String) -> Int? {
        guard storedKey.utf8.count > key.utf8.count else { return nil }
        let suffix = storedKey.utf8.dropFirst(key.utf8.count + 1)
        return Int(Substring(suffix))
    }
}

/// A submission found under an idempotency key.
public struct KeyedSubmission: Sendable {
    public var id: String
    /// The request's fingerprint; for a batch item, the whole batch's.
    public var fingerprint: Data
    /// The item's position in its batch, or nil for a single submission.
    public var batchIndex: Int?

    public init(id: String, fingerprint: Data, batchIndex: Int?) {
        self.id = id
        self.fingerprint = fingerprint
        self.batchIndex = batchIndex
    }
}

/// What an idempotency key already names, decided the same way by every store.
public enum KeyedReplay: Sendable, Equatable {
    /// The key is unused: store the request.
    case store
    /// The same request (or batch) was stored under the key: answer these submissions, in order.
    case replay([String])
    /// The key names something else: answer 409 with this submission.
    case conflict(existingID: String)

    /// For a single request with `fingerprint`. A key a batch used is a conflict whatever the body: a
    /// single request is not that batch.
    public static func single(found: [KeyedSubmission], fingerprint: Data) -> KeyedReplay {
        guard let existing = found.first else { return .store }
        guard existing.batchIndex == nil, existing.fingerprint == fingerprint else {
            return .conflict(existingID: existing.id)
        }
        return .replay([existing.id])
    }

    /// For a batch whose items together have `fingerprint`: the stored items in the batch's order.
    public static func batch(found: [KeyedSubmission], fingerprint: Data) -> KeyedReplay {
        guard let first = found.first else { return .store }
        guard found.allSatisfy({ $0.batchIndex != nil && $0.fingerprint == fingerprint }) else {
            return .conflict(existingID: first.id)
        }
        return .replay(found.sorted { ($0.batchIndex ?? 0) < ($1.batchIndex ?? 0) }.map(\.id))
    }
}
