import Testing

@testable import TrainQEngine

@Suite struct ChunkedArrayTests {
    /// Random appends, removals from the end and writes, across many chunk boundaries, read back the same
    /// as a plain array.
    @Test(arguments: [1, 2, 3]) func behavesLikeAnArray(seed: UInt64) {
        var random = SeededSteps(seed: seed)
        var chunked = ChunkedArray<Int>()
        var plain: [Int] = []
        for step in 0..<20_000 {
            switch random.next(below: 10) {
            case 0..<5:
                chunked.append(step)
                plain.append(step)
            case 5..<8 where !plain.isEmpty:
                #expect(chunked.removeLast() == plain.removeLast())
            case 8 where !plain.isEmpty:
                let index = Int(random.next(below: UInt64(plain.count)))
                chunked[index] = -step
                plain[index] = -step
            default:
                break
            }
            #expect(chunked.count == plain.count)
        }
        #expect(plain.count > 3 * ChunkedArray<Int>.chunkSize, "the walk should cross several chunks: \(plain.count)")
        #expect((0..<plain.count).allSatisfy { chunked[$0] == plain[$0] })
        while !plain.isEmpty { #expect(chunked.removeLast() == plain.removeLast()) }
        #expect(chunked.isEmpty)
    }
}
