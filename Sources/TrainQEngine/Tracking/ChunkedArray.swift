/// An array kept in fixed-size chunks, so that growing it never copies what it holds. The tracked set
/// keeps 100,000 versions of 240 bytes: as one array, each doubling held the old 16 MB and the new 31 MB
/// at once, and that moment was the daemon's peak RSS.
struct ChunkedArray<Element> {
    private var chunks: [[Element]] = []
    private(set) var count = 0
    /// 1,024 versions a chunk: 240 KB, one allocation each.
    static var chunkSize: Int { 1_024 }

    var isEmpty: Bool { count == 0 }

    subscript(index: Int) -> Element {
        get {
            precondition(index >= 0 && index < count, "index out of range")
            return chunks[index / Self.chunkSize][index % Self.chunkSize]
        }
        set {
            precondition(index >= 0 && index < count, "index out of range")
            chunks[index / Self.chunkSize][index % Self.chunkSize] = newValue
        }
    }

    mutating func append(_ element: Element) {
        if count % Self.chunkSize == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }

    @discardableResult
    mutating func removeLast() -> Element {
        precondition(count > 0, "removeLast from an empty array")
        let element = chunks[chunks.count - 1].removeLast()
        if chunks[chunks.count - 1].isEmpty { chunks.removeLast() }
        count -= 1
        return element
    }
}

extension ChunkedArray: Sendable where Element: Sendable {}
