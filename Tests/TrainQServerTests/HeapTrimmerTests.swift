import CLinuxShims
import Foundation
import Testing

@testable import TrainQServer

/// The heap trimmer gives back what a burst freed in the middle of an arena, which glibc keeps.
@Suite(.serialized) struct HeapTrimmerTests {
    /// Resident anonymous memory of this process, from `/proc/self/status`.
    static func residentAnonymousBytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("RssAnon:") })
        let kilobytes = try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
        return kilobytes * 1024
    }

    @Test func aBurstFreedBetweenLiveBlocksGoesBackToTheKernel() throws {
        // 48 MiB in blocks of 2 KiB, every byte touched; then all but every 64th block freed, so the
        // arena's top stays in use and glibc's own trimming at `free` cannot give anything back.
        let blockSize = 2048
        let blocks = (0..<24_576).map { _ in
            let block = malloc(blockSize)!
            memset(block, 0x5A, blockSize)
            return block
        }
        var kept: [UnsafeMutableRawPointer] = []
        for (index, block) in blocks.enumerated() {
            if index % 64 == 63 { kept.append(block) } else { free(block) }
        }
        defer { kept.forEach { free($0) } }
        #expect(trainq_free_heap_bytes() > HeapTrimmer.threshold)
        let before = try Self.residentAnonymousBytes()

        #expect(HeapTrimmer.trimIfWorthIt())

        let after = try Self.residentAnonymousBytes()
        #expect(before - after > 32 << 20, "RssAnon \(before >> 20) -> \(after >> 20) MiB")
    }
}
