import Foundation
import JSONTree
import ModelArts
import ModelArtsSimulator
import Testing
import TrainQAPI

@testable import TrainQEngine

/// Reconciliation when the host's clock and ModelArts' disagree (DESIGN §2, "Whose clock"): the answer
/// to a create is lost, the `job_desc` may leave no room for the marker, and the service's clock runs
/// ahead of or behind ours by up to ten minutes. Exactly one version each time; where no safe decision
/// exists, `needs_attention`, never a second create.
@Suite struct ClockOffsetTests {
    /// The offsets of the issue: the service's clock behind (−) or ahead (+) of the host's, in seconds.
    static let offsets: [Int64] = [-600, -120, 120, 600]

    /// A `job_desc` of the full 256 characters: no room for ` [trainq:<id>]`.
    static let fullDescription = String(repeating: "d", count: 256)

    /// The production margins, with the tests' short backoffs and re-list schedule.
    static func configuration() -> EngineConfiguration {
        var configuration = EngineHarness.fastConfiguration()
        configuration.reconcile.clockSkewMargin = ReconcileConfiguration().clockSkewMargin
        return configuration
    }

    static func simulator(offset seconds: Int64, lostCreates: Int = 1) -> SimulatorConfiguration {
        SimulatorConfiguration(
            timeScale: 60,
            scenario: .init(faults: [FaultRule(target: .create, kind: .lostResponse, count: lostCreates)]),
            clockOffset: .seconds(seconds))
    }

    /// A second caller on the same account: a person or another tool, outside trainq.
    static func otherCaller(_ harness: EngineHarness) throws -> ModelArtsClient {
        try ModelArtsClient(
            configuration: ModelArtsClientConfiguration(
                endpoint: try #require(URL(string: "http://127.0.0.1:\(harness.port)")), projectID: EngineHarness.projectID,
                authentication: .accessKey(AKSKSigner(accessKey: EngineHarness.accessKey, secretKey: EngineHarness.secretKey)),
                connectTimeout: .seconds(2), requestTimeout: .seconds(5), rate: 100, burst: 100, concurrency: 4),
            logger: EngineHarness.quietLogger())
    }

    @Test(arguments: offsets, [true, false])
    func aLostCreateIsFoundWhateverTheOffset(offset: Int64, markerFits: Bool) async throws {
        for clockKnownFirst in [false, true] {
            try await EngineHarness.with(simulator: Self.simulator(offset: offset), configuration: Self.configuration()) { harness in
                if clockKnownFirst {
                    // Any earlier answer teaches the service's clock; the first create is otherwise the first call.
                    _ = try await harness.client.listVersions(jobID: 10, page: 1, perPage: 1)
                    let learned = try #require(harness.client.serverClock.current)
                    #expect(abs(learned.midpoint.components.seconds - offset) <= 2)
                }
                let request = EngineHarness.sampleRequest(jobDesc: markerFits ? "short" : Self.fullDescription)
                try await harness.running(harness.makeEngine()) { engine in
                    let id = try await harness.submit(request: request)
                    engine.submissionAccepted()
                    let view = try await harness.waitFor(id, in: [.tracking, .succeeded, .needsAttention])
                    let ledger = await harness.simulator.ledger()
                    #expect(ledger.versions.count == 1, "offset \(offset) s, marker \(markerFits), clock known \(clockKnownFirst)")
                    #expect(ledger.requests.create == 1)
                    #expect(ledger.versions.first?.responseLost == true)
                    #expect(view.state != .needsAttention, "\(view.reason ?? "-")")
                    #expect(view.versionID == ledger.versions.first?.versionID)
                    #expect(view.history.contains { $0.state == .reconciling })
                }
            }
        }
    }

    /// Someone created the same version minutes before, outside trainq. With the service's clock known,
    /// its `create_time` places it before our attempt: ours alone is adopted. Without it, the wide window
    /// cannot tell the two apart: a person decides.
    @Test(arguments: [-600, 600] as [Int64])
    func aLookAlikeFromBeforeTheAttemptIsNeverTakenForOurs(offset: Int64) async throws {
        for clockKnownFirst in [false, true] {
            try await EngineHarness.with(simulator: Self.simulator(offset: offset), configuration: Self.configuration()) { harness in
                let request = EngineHarness.sampleRequest(jobDesc: Self.fullDescription)
                let other = try Self.otherCaller(harness)
                // The look-alike is created first, and its answer is the one lost by the scenario's fault:
                // the other caller would not retry, but the version exists.
                let sentByOther = try CreateVersionRequest.validate(request).get()
                await #expect(throws: ModelArtsError.self) { _ = try await other.createVersion(jobID: 10, request: sentByOther) }
                try await other.shutdown()
                await harness.simulator.setFaults([FaultRule(target: .create, kind: .lostResponse, count: 1)])
                // Seconds later on the service's clock: beyond the second of a `Date` header and the
                // matcher's margin for clocks within the service.
                try await Task.sleep(for: .milliseconds(4000))
                if clockKnownFirst {
                    _ = try await harness.client.listVersions(jobID: 10, page: 1, perPage: 1)
                }
                try await harness.running(harness.makeEngine()) { engine in
                    let id = try await harness.submit(request: request)
                    engine.submissionAccepted()
                    let view = try await harness.waitFor(id, in: [.tracking, .succeeded, .needsAttention])
                    let ledger = await harness.simulator.ledger()
                    #expect(ledger.requests.create == 2, "never a second create of ours")
                    #expect(ledger.versions.count == 2)
                    let ours = ledger.versions.max { $0.createTime < $1.createTime }
                    if clockKnownFirst {
                        #expect(view.state != .needsAttention, "\(view.reason ?? "-")")
                        #expect(view.versionID == ours?.versionID)
                    } else {
                        #expect(view.state == .needsAttention)
                        #expect(view.versionID == nil)
                    }
                }
            }
        }
    }
}
