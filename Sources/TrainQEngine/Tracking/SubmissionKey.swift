import TrainQStore

/// A tracked submission's id as the tracker keeps it. An id is a ULID of 26 characters, too long for a
/// string stored inline, so each was a heap object of 64 bytes: 6 MB at 100,000 tracked versions. Its
/// 128 bits are kept inline instead; anything else the store might hold is kept as it came.
struct SubmissionKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    private enum Storage: Sendable, Hashable {
        case bits(SubmissionBits)
        case text(String)
    }

    private let storage: Storage

    init(_ id: String) {
        storage = SubmissionIDGenerator.decode(id).map(Storage.bits) ?? .text(id)
    }

    /// The id as the store and the API know it.
    var id: String {
        switch storage {
        case .bits(let bits): SubmissionIDGenerator.encode(bits)
        case .text(let text): text
        }
    }

    var description: String { id }

    /// The ids' order: for ULIDs, the order of their bits is the order of their characters.
    static func < (left: SubmissionKey, right: SubmissionKey) -> Bool {
        switch (left.storage, right.storage) {
        case (.bits(let a), .bits(let b)): (a.high, a.low) < (b.high, b.low)
        default: left.id < right.id
        }
    }
}
