import Foundation
import JSONTree
import Testing
import TrainQAPI
import TrainQTestSupport

/// Issue: an acknowledged submission is never lost and never creates two versions, whatever crashes and
/// network faults happen. `scripts/chaos` runs the same campaign larger through `CHAOS_*` variables.
@Suite(.serialized) struct ChaosCampaignTests {
    @Test func aCampaignOfKillsAndFaultsLosesDuplicatesAndOrphansNothing() async throws {
        var settings = ChaosSettings.fromEnvironment()
        settings.store = .sqlite
        settings.daemons = 1
        try await Self.campaign(settings)
    }

    /// Issue #9: the same proof across daemons sharing one PostgreSQL database (three unless
    /// `CHAOS_DAEMONS` says otherwise), one of them sometimes kept down past its lease, and the database
    /// server crashed and restarted once midway.
    @Test(.enabled(if: PostgresTestServer.shouldRun)) func aCampaignAcrossDaemonsOnOnePostgresDatabase() async throws {
        var settings = ChaosSettings.fromEnvironment()
        settings.store = .postgres
        let environment = ProcessInfo.processInfo.environment
        if environment["CHAOS_DAEMONS"] == nil { settings.daemons = 3 }
        if environment["CHAOS_SUBMISSIONS"] == nil { settings.submissions = 60 }
        let outcome = try await Self.campaign(settings)
        #expect(outcome.databaseRestarts == 1)
        if settings.daemons > 1 {
            let takenBy = Set(outcome.evidence.stored.compactMap(\.takenBy))
            #expect(takenBy.count > 1, "every submission was taken by the same daemon: \(takenBy)")
        }
    }

    @discardableResult
    private static func campaign(_ settings: ChaosSettings) async throws -> ChaosCampaign.Outcome {
        let directory = try TestDirectory()
        let outcome = try await ChaosCampaign(settings: settings, directory: directory).run()
        let verdict = ChaosInvariantChecker().check(outcome.evidence)

        print("chaos campaign figures")
        for (name, value) in outcome.figures + verdict.figures {
            print("  \(name.padding(toLength: 42, withPad: " ", startingAt: 0)) \(value)")
        }
        print("  violations                                 \(verdict.violations.count)")
        for violation in verdict.violations { print("    \(violation)") }

        #expect(verdict.passed, "\(verdict.violations.joined(separator: "\n"))")
        #expect(outcome.unexpectedAnswers.isEmpty, "\(outcome.unexpectedAnswers)")
        #expect(Set(outcome.evidence.acknowledgements.map(\.key)).count == settings.submissions)
        #expect(outcome.finalExitCodes.allSatisfy { $0 == 0 }, "\(outcome.finalExitCodes)")
        // The campaign really was rough: it killed trainqd as often as asked. (Whether a drawn fault lost
        // an answer after creating a version is up to the seed in a small run; the figures above say.)
        #expect(outcome.kills >= settings.kills)
        return outcome
    }

    // The checker itself must fail on each kind of broken promise, or the campaign proves nothing.

    @Test func theCheckerCatchesALostSubmission() {
        let evidence = ChaosEvidence(
            acknowledgements: [.init(key: "k1", id: "A"), .init(key: "k2", id: "B")],
            stored: [Self.view("A", .succeeded, version: 1)],
            ledger: [.init(jobID: 10, versionID: 1, description: "x [trainq:A]")]
        )
        let verdict = ChaosInvariantChecker().check(evidence)
        #expect(verdict.violations == ["lost: B was acknowledged but is not in the database"])
    }

    @Test func theCheckerCatchesADuplicateVersion() {
        let evidence = ChaosEvidence(
            acknowledgements: [.init(key: "k1", id: "A")],
            stored: [Self.view("A", .succeeded, version: 1)],
            ledger: [.init(jobID: 10, versionID: 1, description: "x [trainq:A]"), .init(jobID: 10, versionID: 2, description: "x [trainq:A]")]
        )
        let verdict = ChaosInvariantChecker().check(evidence)
        #expect(verdict.violations.contains("duplicate: A created 2 versions: [1, 2]"))
        #expect(!verdict.passed)
    }

    @Test func theCheckerCatchesOrphanVersions() {
        let evidence = ChaosEvidence(
            acknowledgements: [.init(key: "k1", id: "A")],
            stored: [Self.view("A", .exhausted, version: nil)],
            ledger: [
                .init(jobID: 10, versionID: 1, description: "x [trainq:A]"),
                .init(jobID: 10, versionID: 2, description: "no marker"),
                .init(jobID: 10, versionID: 3, description: "x [trainq:Z]"),
            ]
        )
        let violations = ChaosInvariantChecker().check(evidence).violations
        #expect(violations.count == 3)
        #expect(violations.allSatisfy { $0.hasPrefix("orphan") })
    }

    @Test func theCheckerCatchesUnsettledAndUnjustAttention() {
        var attention = Self.view("B", .needsAttention, version: nil)
        attention.reason = "several versions could be this submission's: 4, 5"
        var just = Self.view("C", .needsAttention, version: nil)
        just.reason = "reconciliation could not decide: listing the job's versions failed: 403"
        let evidence = ChaosEvidence(
            acknowledgements: [.init(key: "k1", id: "A"), .init(key: "k2", id: "B"), .init(key: "k3", id: "C")],
            stored: [Self.view("A", .retrying, version: nil), attention, just], ledger: []
        )
        let violations = ChaosInvariantChecker().check(evidence).violations
        #expect(violations.count == 2)
        #expect(violations.contains { $0.hasPrefix("unsettled: A") })
        #expect(violations.contains { $0.hasPrefix("unjust attention: B") })
    }

    @Test func theCheckerCatchesDuplicateAndOrphanV2Jobs() {
        var twice = Self.view("A", .succeeded, version: nil)
        twice.api = .v2
        twice.trainingJobName = "chaos-aaaa"
        twice.trainingJobID = "job-1"
        var once = Self.view("B", .succeeded, version: nil)
        once.api = .v2
        once.trainingJobName = "chaos-bbbb"
        once.trainingJobID = "job-9"
        func job(_ id: String, _ name: String) -> ChaosEvidence.LedgerVersion {
            .init(jobID: 0, versionID: -1, description: "", trainingJobID: id, trainingJobName: name)
        }
        let evidence = ChaosEvidence(
            acknowledgements: [.init(key: "k1", id: "A"), .init(key: "k2", id: "B")],
            stored: [twice, once],
            ledger: [job("job-1", "chaos-aaaa"), job("job-2", "chaos-aaaa"), job("job-3", "chaos-bbbb"), job("job-4", "chaos-zzzz")]
        )
        let violations = ChaosInvariantChecker().check(evidence).violations
        #expect(violations.contains("duplicate: A created 2 versions: [job-1, job-2]"))
        #expect(violations.contains { $0.hasPrefix("orphan: training job job-4") })
        #expect(violations.contains("mismatch: B follows training job job-9 but created job-3"))
        #expect(violations.count == 3, "\(violations)")
    }

    @Test func theCheckerCatchesOneKeyAcknowledgedAsTwoSubmissions() {
        let evidence = ChaosEvidence(
            acknowledgements: [.init(key: "k1", id: "A"), .init(key: "k1", id: "B")],
            stored: [Self.view("A", .canceled, version: nil), Self.view("B", .canceled, version: nil)], ledger: []
        )
        let violations = ChaosInvariantChecker().check(evidence).violations
        #expect(violations == [#"idempotency key k1 was acknowledged as 2 submissions: ["A", "B"]"#])
    }

    static func view(_ id: String, _ state: SubmissionState, version: Int64?) -> SubmissionView {
        let now = Date()
        var view = SubmissionView(
            id: id, state: state, owner: Owner(uid: 0, user: "root"), projectID: String(repeating: "0", count: 32), jobID: 10,
            request: .object([:]), createdAt: now, updatedAt: now
        )
        view.versionID = version
        return view
    }
}
