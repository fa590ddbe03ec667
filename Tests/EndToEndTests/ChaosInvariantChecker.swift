import Foundation
import JSONTree
import TrainQAPI

/// What a campaign saw, gathered after the last daemon settled: every acknowledgement a client received,
/// every submission the database holds, and every version and v2 job the simulator's ledger created.
struct ChaosEvidence {
    /// One `202`/`200` a client received: the idempotency key it sent and the id it was given.
    struct Acknowledgement: Hashable {
        var key: String
        var id: String
    }

    /// One version, or one v2 job, in the simulator's ledger.
    struct LedgerVersion: Hashable {
        var jobID: Int64
        var versionID: Int64
        var description: String
        /// The create succeeded but the simulator lost its answer on purpose: only reconciliation can know.
        var responseLost = false
        /// A v2 job's id and name (the name carries the submission's id).
        var trainingJobID: String? = nil
        var trainingJobName: String? = nil

        /// How the run is named in a verdict.
        var runID: String { trainingJobID ?? String(versionID) }

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

    /// Reads `GET /_sim/ledger`'s `versions` and `training_jobs`.
    static func ledgerVersions(_ ledger: JSONValue) -> [LedgerVersion] {
        let versions = (ledger["versions"]?.arrayValue ?? []).map { version in
            LedgerVersion(
                jobID: version["job_id"]?.int64Value ?? -1,
                versionID: version["version_id"]?.int64Value ?? -1,
                description: version["job_desc"]?.stringValue ?? "",
                responseLost: version["response_lost"]?.boolValue ?? false
            )
        }
        let jobs = (ledger["training_jobs"]?.arrayValue ?? []).map { job in
            LedgerVersion(
                jobID: 0, versionID: -1, description: job["body"]?["metadata"]?["description"]?.stringValue ?? "",
                responseLost: job["response_lost"]?.boolValue ?? false,
                trainingJobID: job["id"]?.stringValue ?? "?", trainingJobName: job["name"]?.stringValue ?? "?"
            )
        }
        return versions + jobs
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

        // Every created version or job belongs to exactly one stored submission, and no submission has two.
        // A v2 job is the submission's by its name, which trainq derived from the submission's id.
        let storedByName = Dictionary(
            evidence.stored.compactMap { submission in submission.trainingJobName.map { ($0, submission) } },
            uniquingKeysWith: { first, _ in first })
        var versionsBySubmission: [String: [ChaosEvidence.LedgerVersion]] = [:]
        for version in evidence.ledger {
            if let name = version.trainingJobName {
                guard let submission = storedByName[name] else {
                    verdict.violations.append("orphan: training job \(version.runID) (\(name)) is no stored submission's")
                    continue
                }
                versionsBySubmission[submission.id, default: []].append(version)
                continue
            }
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
            let runs = versions.first?.trainingJobID == nil ? versions.map { String($0.versionID) } : versions.map(\.runID)
            verdict.violations.append("duplicate: \(id) created \(versions.count) versions: [\(runs.sorted().joined(separator: ", "))]")
        }

        // Every submission at an end that agrees with the ledger.
        for submission in evidence.stored.sorted(by: { $0.id < $1.id }) {
            let created = versionsBySubmission[submission.id] ?? []
            switch submission.state {
            case .succeeded, .failed, .stopped, .tracking:
                if submission.state == .tracking {
                    verdict.violations.append("unsettled: \(submission.id) is still tracking")
                }
                if created.count == 1, let jobID = created[0].trainingJobID, submission.trainingJobID != jobID {
                    verdict.violations.append("mismatch: \(submission.id) follows training job \(submission.trainingJobID ?? "none") but created \(jobID)")
                } else if created.count == 1, created[0].trainingJobID == nil, submission.versionID != created[0].versionID {
                    verdict.violations.append(
                        "mismatch: \(submission.id) follows version \(submission.versionID.map(String.init) ?? "none") but created \(created[0].versionID)"
                    )
                } else if created.isEmpty {
                    verdict.violations.append("phantom: \(submission.id) is \(submission.state.rawValue) but the ledger has no version of it")
                }
            case .canceled, .rejected, .exhausted:
                if !created.isEmpty {
                    verdict.violations.append("orphan: \(submission.id) ended \(submission.state.rawValue) but created version \(created[0].runID)")
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
            ("versions in the ledger", "\(evidence.ledger.filter { $0.trainingJobID == nil }.count)"),
            ("v2 jobs in the ledger", "\(evidence.ledger.filter { $0.trainingJobID != nil }.count)"),
            ("  of which the answer was lost", "\(evidence.ledger.filter(\.responseLost).count)"),
            ("states", SubmissionState.allCases.compactMap { state in byState[state].map { "\(state.rawValue) \($0)" } }.joined(separator: ", ")),
            ("lost", "\(verdict.violations.filter { $0.hasPrefix("lost") }.count)"),
            ("duplicated", "\(verdict.violations.filter { $0.hasPrefix("duplicate") }.count)"),
            ("orphaned", "\(verdict.violations.filter { $0.hasPrefix("orphan") }.count)"),
        ]
        return verdict
    }
}
