import Foundation

/// How the items of a batch share the batch's one `Idempotency-Key` in the per-owner unique index:
/// item `i` is stored under `key` + U+001F + `i`. A caller's key is 1–255 visible ASCII characters,
/// so it can never name an item of a batch, and the single key and its batch items sort together.
enum IdempotencyKeys {
    static let batchSeparator = "\u{1F}"
    /// The first string after every key of the family of `key` (U+0020 sorts after the separator and
    /// before any visible character).
    static let rangeEnd = "\u{20}"

    static func batchItem(_ key: String, index: Int) -> String {
        key + batchSeparator + String(index)
    }

    /// The item index of a stored key of the family of `key`, or nil for the single key itself.
    static func batchIndex(of storedKey: String, under key: String) -> Int? {
        guard storedKey.utf8.count > key.utf8.count else { return nil }
        let suffix = storedKey.utf8.dropFirst(key.utf8.count + 1)
        return Int(Substring(suffix))
    }
}

/// A submission found under an idempotency key.
struct KeyedSubmission {
    var id: String
    /// The request's fingerprint; for a batch item, the whole batch's.
    var fingerprint: Data
    /// The item's position in its batch, or nil for a single submission.
    var batchIndex: Int?
}
