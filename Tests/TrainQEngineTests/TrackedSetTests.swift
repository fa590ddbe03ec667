import Testing
import TrainQStore
@testable import TrainQEngine

/// The tracked set keeps each job's earliest due time instead of reading every version per round: what it
/// answers must stay what a scan over every version would answer, whatever order versions are polled,
/// added, moved between jobs and removed in.
@Suite struct TrackedSetTests {
    @Test(arguments: [1, 2, 3, 4])
    func dueCountsAndNextPollMatchAFullScan(seed: UInt64) {
        var random = SeededSteps(seed: seed)
        let origin = ContinuousClock.now
        var set = TrackedSet()
        var model: [String: TrackedVersion] = [:]
        let jobs = (0..<6).map { JobKey(projectID: "p", jobID: Int64($0 + 1)) }
        for step in 0..<3_000 {
            // Half the ids are ULIDs (kept as bits), half any other string (kept as text).
            let number = random.next(below: 60)
            let id = number.isMultiple(of: 2) ? "s\(number)" : SubmissionIDGenerator.encode(SubmissionBits(high: number, low: ~number))
            let at = origin + .milliseconds(Int64(random.next(below: 1_000)))
            switch random.next(below: 10) {
            case 0..<6:
                // A poll (or a first sight): the version moves, sometimes to another job.
                var version = model[id] ?? Self.version(id, job: jobs[Int(random.next(below: 6))], at: at)
                if random.next(below: 20) == 0 { version.job = jobs[Int(random.next(below: 6))] }
                version.nextPollAt = at
                set[SubmissionKey(id)] = version
                model[id] = version
            case 6..<8:
                set[SubmissionKey(id)] = nil
                model[id] = nil
            default:
                let now = origin + .milliseconds(Int64(random.next(below: 1_000)))
                var expected: [JobKey: Int] = [:]
                for version in model.values where version.nextPollAt <= now { expected[version.job, default: 0] += 1 }
                #expect(set.dueCounts(at: now) == expected, "step \(step)")
            }
            #expect(set.nextPollAt() == model.values.map(\.nextPollAt).min(), "step \(step)")
            #expect(set.count == model.count)
        }
    }

    private static func version(_ id: String, job: JobKey, at: ContinuousClock.Instant) -> TrackedVersion {
        TrackedVersion(
            submissionID: SubmissionKey(id), job: job, run: .version(CreatedVersion(id: 1)), remoteStatus: nil,
            schedule: TrackingSchedule(minInterval: .seconds(1), maxInterval: .seconds(1)), nextPollAt: at)
    }
}

/// A seeded linear congruential generator (Knuth's MMIX constants): the same seed, the same operations.
struct SeededSteps {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next(below bound: UInt64) -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return (state >> 33) % bound
    }
}
