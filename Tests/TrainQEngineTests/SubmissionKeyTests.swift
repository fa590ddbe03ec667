import Foundation
import Testing
import TrainQStore

@testable import TrainQEngine

/// The tracker's inline form of a submission id gives back the same id, in the same order.
@Suite struct SubmissionKeyTests {
    @Test func generatedIDsRoundTripThroughTheirBits() throws {
        var generator = SubmissionIDGenerator()
        var random = SeededSteps(seed: 12)
        var ids: [String] = []
        for _ in 0..<2_000 {
            // Several ids in one millisecond, and times up to the 48-bit maximum.
            let milliseconds = Double(random.next(below: 1 << 47)) / 1000
            ids.append(generator.next(at: Date(timeIntervalSince1970: milliseconds)))
        }
        ids.append(SubmissionIDGenerator.encode(SubmissionBits(high: .max, low: .max)))
        ids.append(String(repeating: "0", count: 26))
        for id in ids {
            let bits = try #require(SubmissionIDGenerator.decode(id), "\(id)")
            #expect(SubmissionIDGenerator.encode(bits) == id)
            #expect(SubmissionKey(id).id == id)
            #expect(SubmissionKey(id) == SubmissionKey(id))
        }
        let keys = ids.map(SubmissionKey.init)
        #expect(keys.sorted().map(\.id) == ids.sorted())
        #expect(Set(keys).count == Set(ids).count)
    }

    @Test(arguments: [
        "", "s1", "01JD9Z4K8Q3W", "01jd9z4k8q3wabcdefghjkmnpq", "01JD9Z4K8Q3WABCDEFGHJKMNPQR", "81JD9Z4K8Q3WABCDEFGHJKMNPQ",
        "01JD9Z4K8Q3WABCDEFGHJKMNPI", "01JD9Z4K8Q3WABCDEFGHJKMNPÉ",
    ])
    func anyOtherStringIsKeptAsItCame(id: String) {
        // Lower case, I/L/O/U, another length, a first digit above 7, non-ASCII: not a ULID the store wrote.
        #expect(SubmissionIDGenerator.decode(id) == nil)
        #expect(SubmissionKey(id).id == id)
    }
}
