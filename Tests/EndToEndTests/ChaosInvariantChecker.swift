import Foundation
import JSONTree
import TrainQAPI

/// What a campaign saw, gathered after the last daemon settled: every acknowledgement a client received,
/// every submission the database holds, and every version the simulator's ledger created.
struct ChaosEvidence {
    /// One `202`/`200` a client received: the idempotency key it sent and the id it was given.
    struct Acknowledgement: Hashable {
        var key: String
        var id: String
    }

    /// One version in the simulator's ledger.
    struct LedgerVersion: Hashable {
        var jobID: Int64
        var versionID: Int64
        var description: String
        /// The create succeeded but the simulator lost its answer on purpose: only reconciliation can know.
        var responseLost = false

        /// The submission id from the ` [trainq:<id>]` marker in `job_desc`, if there is one.
        var submissionID: String? {
            guard let start = description.range(of: "[trainq:"),
                let end = description[start.upperBound...].firstIndex(of: "]")
            else { return nil }
            return String(description[start.upperBound..<end])
        }
    }

    var acknowledgements: [Acknowledgement]
    var stored: [SubmissionView]
    var ledger: [LedgerVersion]

    /// Reads `GET /_sim/ledger`'s `versions`.
    static func ledgerVersions(_ ledger: JSONValue) -> [LedgerVersion] {
        (ledger["versions"]?.arrayValue ?? []).map { version in
            LedgerVersion(
                jobID: version["job_id"]?.int64Value ?? -1,
                versionID: version["version_id"]?.int64Value ?? -1,
                description: version["job_desc"]?.stringValue ?? "",
                responseLost: version["response_lost"]?.boolValue ?? false
            )
        }
    }
}

/// The campaign's promises, checked against the evidence: none lost, no version created twice, no orphan
/// version, every submission at an end or justly waiting for a person.
struct ChaosInvariantChecker {
    struct Verdict {
        var violations: [String] = []
        var figures: [(String, String)] = []
        var passed: Bool { violations.isEmpty }
    }

    /// The reasons for which `needs_attention` is just: the engine could not learn the outcome from
    /// ModelArts. Anything else there means the engine gave up on something it should have decided.
    static let justAttentionReason = "reconciliation could not decide"

    func check(_ evidence: ChaosEvidence) -> Verdict {
        var verdict = Verdict()
        let storedByID = Dictionary(evidence.stored.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

        // Acknowledged means stored: none lost; and one key always names one submission.
        var idsByKey: [String: Set<String>] = [:]
        for acknowledgement in evidence.acknowledgements { idsByKey[acknowledgement.key, default: []].insert(acknowledgement.id) }
        for (key, ids) in idsByKey where ids.count > 1 {
            verdict.violations.append("idempotency key \(key) was acknowledged as \(ids.count) submissions: \(ids.sorted())")
        }
        let acknowledged = Set(evidence.acknowledgements.map(\.id))
        for id in acknowledged.sorted() where storedByID[id] == nil {
            verdict.violations.append("lost: \(id) was acknowledged but is not in the database")
        }

        // Every created version belongs to exactly one stored submission, and no submission has two.
        var versionsBySubmission: [String: [ChaosEvidence.LedgerVersion]] = [:]
        for version in evidence.ledger {
            guard let id = version.submissionID else {
                verdict.violations.append("orphan: version \(version.versionID) of job \(version.jobID) has no trainq marker")
                continue
            }
            guard let submission = storedByID[id] else {
                verdict.violations.append("orphan: version \(version.versionID) names \(id), which is not in the database")
                continue
            }
            if submission.jobID != version.jobID {
                verdict.violations.append("orphan: version \(version.versionID) of job \(version.jobID) names \(id) of job \(submission.jobID)")
            }
            versionsBySubmission[id, default: []].append(version)
        }
        for (id, versions) in versionsBySubmission.sorted(by: { $0.key < $1.key }) where versions.count > 1 {
            verdict.violations.append("duplicate: \(id) created \(versions.count) versions: \(versions.map(\.versionID).sorted())")
        }

        // Every submission at an end that agrees with the ledger.
        for submission in evidence.stored.sorted(by: { $0.id < $1.id }) {
            let created = versionsBySubmission[submission.id] ?? []
            switch submission.state {
            case .succeeded, .failed, .stopped, .tracking:
                if submission.state == .tracking {
                    verdict.violations.append("unsettled: \(submission.id) is still tracking")
                }
                if created.count == 1, submission.versionID != created[0].versionID {
                    verdict.violations.append(
                        "mismatch: \(submission.id) follows version \(submission.versionID.map(String.init) ?? "none") but created \(created[0].versionID)"
                    )
                } else if created.isEmpty {
                    verdict.violations.append("phantom: \(submission.id) is \(submission.state.rawValue) but the ledger has no version of it")
                }
            case .canceled, .rejected, .exhausted:
                if !created.isEmpty {
                    verdict.violations.append("orphan: \(submission.id) ended \(submission.state.rawValue) but created version \(created[0].versionID)")
                }
            case .needsAttention:
                if !(submission.reason ?? "").hasPrefix(Self.justAttentionReason) {
                    verdict.violations.append("unjust attention: \(submission.id): \(submission.reason ?? "no reason")")
                }
            case .queued, .retrying, .submitting, .reconciling:
                verdict.violations.append("unsettled: \(submission.id) is still \(submission.state.rawValue)")
            }
        }

        var byState: [SubmissionState: Int] = [:]
        for submission in evidence.stored { byState[submission.state, default: 0] += 1 }
        verdict.figures = [
            ("acknowledged submissions", "\(acknowledged.count)"),
            ("acknowledgements received (with replays)", "\(evidence.acknowledgements.count)"),
            ("stored submissions", "\(evidence.stored.count)"),
            ("stored but never acknowledged", "\(Set(storedByID.keys).subtracting(acknowledged).count)"),
            ("versions in the ledger", "\(evidence.ledger.count)"),
            ("  of which the answer was lost", "\(evidence.ledger.filter(\.responseLost).count)"),
            ("states", SubmissionState.allCases.compactMap { state in byState[state].map { "\(state.rawValue) \($0)" } }.joined(separator: ", ")),
            ("lost", "\(verdict.violations.filter { $0.hasPrefix("lost") }.count)"),
            ("duplicated", "\(verdict.violations.filter { $0.hasPrefix("duplicate") }.count)"),
            ("orphaned", "\(verdict.violations.filter { $0.hasPrefix("orphan") }.count)"),
        ]
        return verdict
    }
}
