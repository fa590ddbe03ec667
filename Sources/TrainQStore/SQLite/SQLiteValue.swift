import Foundation

/// A value bound to a statement parameter. Integers, reals, text, blobs and NULL are SQLite's
/// whole type system; everything else (dates, booleans, JSON) is mapped onto these by the store.
public enum SQLiteValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

extension SQLiteValue {
    /// NULL for nil, otherwise the integer.
    public init(_ value: Int64?) {
        self = value.map { .integer($0) } ?? .null
    }

    /// NULL for nil, otherwise the real.
    public init(_ value: Double?) {
        self = value.map { .real($0) } ?? .null
    }

    /// NULL for nil, otherwise the text.
    public init(_ value: String?) {
        self = value.map { .text($0) } ?? .null
    }

    /// NULL for nil, otherwise the bytes.
    public init(_ value: Data?) {
        self = value.map { .blob($0) } ?? .null
    }

    /// 1 or 0: SQLite has no boolean type.
    public init(_ value: Bool) {
        self = .integer(value ? 1 : 0)
    }
}
