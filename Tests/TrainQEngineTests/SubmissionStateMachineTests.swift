import Foundation
import JSONTree
import ModelArts
import Testing
import TrainQAPI
import TrainQStore

@testable import TrainQEngine

@Suite struct SubmissionStateMachineTests {
    typealias Machine = SubmissionStateMachine
    let now = Date(timeIntervalSince1970: 2_000_000_000)
    let policy = RetryPolicy(
        configuration: .init(
            maxAttempts: 3, maxAge: .seconds(600), baseDelay: .seconds(1), maxDelay: .seconds(30),
            slowBaseDelay: .seconds(60), slowMaxDelay: .seconds(300)
        ),
        random: .constant(0.5)
    )
    let version = ObservedRun(id: 21, name: "V0002", status: VersionStatus(code: 1))

    func context(attempts: Int = 1, previous: AttemptOutcome? = nil, age: TimeInterval = 10) -> Machine.Context {
        Machine.Context(attemptsInBudget: attempts, budgetStartedAt: now.addingTimeInterval(-age), previousOutcome: previous)
    }

    func failure(_ errorClass: ErrorClass, hints: RetryHint = RetryHint()) -> AttemptFailure {
        AttemptFailure(errorClass: errorClass, httpStatus: 503, errorCode: "ModelArts.4700", message: "upgrading", hints: hints)
    }

    func decide(_ state: SubmissionState, _ event: Machine.Event, context: Machine.Context? = nil) -> Result<Machine.Decision, Machine.Refusal> {
        var machine = Machine(state: state, policy: policy)
        return machine.handle(event, context: context ?? self.context(), now: now)
    }

    func decided(_ state: SubmissionState, _ event: Machine.Event, context: Machine.Context? = nil) throws -> Machine.Decision {
        try decide(state, event, context: context).get()
    }

    /// One of every kind of event, with payloads that reach every branch.
    var allEvents: [Machine.Event] {
        var events: [Machine.Event] = [
            .attemptStarting(serverClock: nil), .runCreated(version), .daemonRestarted,
            .reconciled(.found(version)), .reconciled(.notSeenYet(emptyListings: 1, relistAfter: .seconds(2))), .reconciled(.notCreated),
            .reconciled(.ambiguous(candidates: ["21", "22"])), .reconciled(.undecidable("list failed")),
            .runVanished(reason: "gone"),
            .cancelRequested, .retryRequested,
            .resolveRequested(.adopt(version)), .resolveRequested(.requeue), .resolveRequested(.cancel),
        ]
        // Running (8), completed (10), failed (11), killed (12), an undocumented code (99).
        for code in [8, 10, 11, 12, 99] {
            events.append(.remoteStatusSeen(.init(status: VersionStatus(code: code))))
        }
        for errorClass in ErrorClass.allCases {
            events.append(.attemptFailed(failure(errorClass)))
        }
        return events
    }

    var allContexts: [Machine.Context] {
        [
            context(), context(attempts: 3), context(previous: .tokenRefresh), context(age: 10_000),
            Machine.Context(attemptsInBudget: 1, budgetStartedAt: now, run: .version(CreatedVersion(id: 21)), remoteStatusName: VersionStatus(code: 8).displayName),
        ]
    }

    /// The transitions of DESIGN.md §2's table: each state's row names the states that may follow it.
    static func designTable() throws -> Set<[SubmissionState]> {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let design = try String(contentsOf: root.appendingPathComponent("DESIGN.md"), encoding: .utf8)
        var table: Set<[SubmissionState]> = []
        for line in design.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3, let state = SubmissionState(rawValue: cells[0].trimmingCharacters(in: ["`"])) else {
                continue
            }
            for token in cells[cells.count - 1].split(separator: "`", omittingEmptySubsequences: false).enumerated() where token.offset % 2 == 1 {
                if let next = SubmissionState(rawValue: String(token.element)) { table.insert([state, next]) }
            }
        }
        return table
    }

    @Test func everyEventInEveryStateGivesExactlyTheDesignTable() throws {
        var reached: Set<[SubmissionState]> = []
        for state in SubmissionState.allCases {
            for event in allEvents {
                for context in allContexts {
                    guard case .success(let decision) = decide(state, event, context: context) else { continue }
                    if let write = decision.write {
                        #expect(write.expected == state, "\(event.name) in \(state) writes against \(write.expected)")
                    }
                    if let next = decision.next { reached.insert([state, next]) }
                }
            }
        }
        let table = try Self.designTable()
        #expect(!table.isEmpty)
        #expect(reached == table, "reached but not in DESIGN: \(reached.subtracting(table)); in DESIGN but never reached: \(table.subtracting(reached))")
        let code = Set(SubmissionState.allCases.flatMap { state in state.allowedNext.map { [state, $0] } })
        #expect(code == table, "SubmissionState.allowedNext and DESIGN.md §2 disagree")
    }

    @Test func neverProducesATransitionTheTableForbids() {
        for state in SubmissionState.allCases {
            for event in allEvents {
                for context in allContexts {
                    var machine = Machine(state: state, policy: policy)
                    guard case .success(let decision) = machine.handle(event, context: context, now: now),
                        let next = decision.next
                    else { continue }
                    #expect(state.canMove(to: next), "\(state) → \(next) on \(event.name)")
                    #expect(machine.state == next)
                }
            }
        }
    }

    @Test func everyAllowedTransitionIsReachable() {
        var reached: Set<[SubmissionState]> = []
        for state in SubmissionState.allCases {
            for event in allEvents {
                for context in allContexts {
                    if case .success(let decision) = decide(state, event, context: context), let next = decision.next {
                        reached.insert([state, next])
                    }
                }
            }
        }
        for state in SubmissionState.allCases {
            for next in state.allowedNext {
                #expect(reached.contains([state, next]), "no event moves \(state) → \(next)")
            }
        }
    }

    @Test func terminalStatesTakeNoAutomaticEvent() {
        let automatic: [Machine.Event] = allEvents.filter {
            switch $0 {
            case .retryRequested: false
            default: true
            }
        }
        for state in SubmissionState.allCases where state.isTerminal {
            for event in automatic {
                if case .success(let decision) = decide(state, event) {
                    #expect(decision.next == nil, "\(state) moved on \(event.name)")
                }
            }
        }
    }

    @Test func firstAttemptPersistsBeforeSending() throws {
        let decision = try decided(.queued, .attemptStarting(serverClock: nil), context: context(attempts: 0))
        #expect(decision.next == .submitting)
        #expect(decision.write?.attempt == .begin(at: now))
        #expect(decision.actions == [.sendCreate])
    }

    @Test func successStartsTracking() throws {
        let decision = try decided(.submitting, .runCreated(version))
        #expect(decision.next == .tracking)
        #expect(decision.write?.changes.version == CreatedVersion(id: 21, name: "V0002"))
        #expect(decision.write?.changes.lastError == .clear)
        #expect(decision.actions == [.countAttempt(.created)])
        #expect(decision.attemptOutcome == .created)
    }

    @Test func transientFailureSchedulesAJitteredRetry() throws {
        // Second attempt failed: ceiling 2s, random 0.5 → 1s.
        let decision = try decided(.submitting, .attemptFailed(failure(.transient)), context: context(attempts: 2))
        #expect(decision.next == .retrying)
        #expect(decision.chosenDelay == .seconds(1))
        #expect(decision.write?.changes.nextAttemptAt == now.addingTimeInterval(1))
        #expect(decision.write?.changes.lastError == .set(LastError(failure(.transient))))
        guard case .finish(let result) = decision.write?.attempt else {
            Issue.record("the failed attempt is not finished")
            return
        }
        #expect(result.outcome == "transient" && result.delayMS == 1000 && result.httpStatus == 503)
        #expect(decision.actions == [.countAttempt(.transient)])
        #expect(decision.attemptOutcome == .transient)
        #expect(decision.reason?.contains("ModelArts.4700") == true)
    }

    @Test func retryAfterIsHonoured() throws {
        let hints = RetryHint(retryAfter: .seconds(9))
        let decision = try decided(.submitting, .attemptFailed(failure(.transient, hints: hints)))
        #expect(decision.chosenDelay == .seconds(9))
    }

    @Test func slowFailureUsesTheSlowDelays() throws {
        let decision = try decided(.submitting, .attemptFailed(failure(.slow)))
        #expect(decision.next == .retrying)
        #expect(decision.chosenDelay == .seconds(30))
        #expect(decision.attemptOutcome == .slow)
    }

    @Test func permanentFailureRejects() throws {
        let decision = try decided(.submitting, .attemptFailed(failure(.permanent)))
        #expect(decision.next == .rejected)
        #expect(decision.reason?.contains("ModelArts.4700") == true)
        #expect(decision.actions == [.countAttempt(.permanent)])
    }

    @Test func unknownOutcomeReconcilesAndNeverResends() throws {
        let decision = try decided(.submitting, .attemptFailed(failure(.unknownOutcome)))
        #expect(decision.next == .reconciling)
        #expect(decision.actions == [.countAttempt(.unknownOutcome), .wakeReconciler])
        #expect(!decision.actions.contains(.sendCreate))
    }

    @Test func tokenRefreshRefreshesAndRetriesOnce() throws {
        let first = try decided(.submitting, .attemptFailed(failure(.tokenRefresh)))
        #expect(first.next == .retrying)
        #expect(first.write?.changes.nextAttemptAt == now)
        #expect(first.chosenDelay == .zero)
        let second = try decided(.submitting, .attemptFailed(failure(.tokenRefresh)), context: context(attempts: 2, previous: .tokenRefresh))
        #expect(second.next == .rejected)
    }

    @Test func throttlingWaitsWithoutSpendingTheBudget() throws {
        let throttled = AttemptFailure(
            errorClass: .throttled, httpStatus: 429, errorCode: "APIGW.0308", message: "limit:5,time:1 second",
            hints: RetryHint(throttleLimit: 5, throttleWindow: .seconds(1)))
        // The whole attempt budget is spent, and yet it waits: 1s window + 0.5 × the 1s base.
        let decision = try decided(.submitting, .attemptFailed(throttled), context: context(attempts: 3))
        #expect(decision.next == .retrying)
        #expect(decision.chosenDelay == .milliseconds(1500))
        #expect(decision.write?.changes.refundAttempt == true)
        #expect(decision.write?.changes.nextAttemptAt == now.addingTimeInterval(1.5))
        #expect(decision.attemptOutcome == .throttled)
        #expect(decision.reason?.hasPrefix("throttled, waiting 1.500s") == true)
        // Only the age ends it.
        let old = try decided(.submitting, .attemptFailed(throttled), context: context(attempts: 1, age: 599))
        #expect(old.next == .exhausted)
        #expect(old.reason?.contains("age budget") == true)
    }

    @Test func attemptBudgetExhausts() throws {
        let decision = try decided(.submitting, .attemptFailed(failure(.transient)), context: context(attempts: 3))
        #expect(decision.next == .exhausted)
        #expect(decision.reason?.contains("attempt budget") == true)
        #expect(decision.attemptOutcome == .transient)
    }

    @Test func ageBudgetExhaustsWhenTheNextAttemptWouldBeTooLate() throws {
        // 599.9s old: the next attempt, 30s later, would start past the 600s limit.
        let late = Machine.Context(attemptsInBudget: 1, budgetStartedAt: now.addingTimeInterval(-599.9))
        let decision = try decided(.submitting, .attemptFailed(failure(.slow)), context: late)
        #expect(decision.next == .exhausted)
        #expect(decision.reason?.contains("age budget") == true)
    }

    @Test func dueRetryWithSpentBudgetExhaustsWithoutSending() throws {
        let decision = try decided(.retrying, .attemptStarting(serverClock: nil), context: context(attempts: 3))
        #expect(decision.next == .exhausted)
        #expect(decision.actions.isEmpty)
        let old = try decided(.retrying, .attemptStarting(serverClock: nil), context: context(attempts: 1, age: 601))
        #expect(old.next == .exhausted)
        let fine = try decided(.retrying, .attemptStarting(serverClock: nil), context: context(attempts: 2))
        #expect(fine.next == .submitting)
    }

    @Test func restartMovesInFlightAttemptsToReconciling() throws {
        let decision = try decided(.submitting, .daemonRestarted)
        #expect(decision.next == .reconciling)
        #expect(decision.attemptOutcome == .interrupted)
        #expect(decision.write?.attempt == .interrupt(at: now))
        #expect(decision.reason == Machine.restartReason)
        #expect(decision.write?.changes.relist == .fresh)
        #expect(decision.actions == [.countAttempt(.interrupted), .wakeReconciler])
        #expect(decide(.queued, .daemonRestarted).isRefused)
    }

    @Test func reconcileVerdicts() throws {
        #expect(try decided(.reconciling, .reconciled(.found(version))).next == .tracking)
        let wait = try decided(.reconciling, .reconciled(.notSeenYet(emptyListings: 2, relistAfter: .seconds(5))))
        #expect(wait.next == nil)
        #expect(wait.actions.isEmpty)
        // The schedule's progress is written on the row, without an event.
        #expect(wait.write?.changes.relist == RelistProgress(emptyListings: 2, nextListingAt: now.addingTimeInterval(5)))
        #expect(wait.write?.appendsEvent == false)
        let requeue = try decided(.reconciling, .reconciled(.notCreated))
        #expect(requeue.next == .retrying)
        #expect(requeue.write?.changes.nextAttemptAt == now)
        #expect(requeue.actions == [.wakeSubmitter])
        let ambiguous = try decided(.reconciling, .reconciled(.ambiguous(candidates: ["23", "21"])))
        #expect(ambiguous.next == .needsAttention)
        #expect(ambiguous.reason?.contains("21, 23") == true)
    }

    @Test func personActions() throws {
        #expect(try decided(.queued, .cancelRequested).next == .canceled)
        #expect(try decided(.retrying, .cancelRequested).next == .canceled)
        let stop = try decided(.tracking, .cancelRequested, context: Machine.Context(attemptsInBudget: 1, budgetStartedAt: now, run: .version(CreatedVersion(id: 21))))
        #expect(stop.write == nil)
        #expect(stop.actions == [.stopRun(.version(CreatedVersion(id: 21))), .pollSoon])
        #expect(decide(.submitting, .cancelRequested).refusal == .notAllowed(event: "cancel", state: .submitting))
        let retry = try decided(.exhausted, .retryRequested)
        #expect(retry.next == .queued)
        #expect(retry.write?.changes.resetBudget == true)
        #expect(retry.actions == [.wakeSubmitter])
        #expect(try decided(.rejected, .retryRequested).next == .queued)
        #expect(decide(.succeeded, .retryRequested).isRefused)
        #expect(try decided(.needsAttention, .resolveRequested(.adopt(version))).next == .tracking)
        let requeue = try decided(.needsAttention, .resolveRequested(.requeue))
        #expect(requeue.next == .retrying)
        #expect(requeue.write?.changes.resetBudget == true)
        #expect(try decided(.needsAttention, .resolveRequested(.cancel)).next == .canceled)
        #expect(decide(.reconciling, .resolveRequested(.requeue)).isRefused)
    }

    @Test func remoteStatusesEndTrackingStoreNewStepsAndIgnoreRepeats() throws {
        let running = Machine.Context(attemptsInBudget: 1, budgetStartedAt: now, run: .version(CreatedVersion(id: 21)), remoteStatusName: VersionStatus(code: 7).displayName)
        let timing = RemoteTiming(startTime: now, durationMS: 1200)
        let step = try decided(.tracking, .remoteStatusSeen(.init(status: VersionStatus(code: 8), timing: timing)), context: running)
        #expect(step.next == nil)
        #expect(step.write?.expected == .tracking)
        #expect(step.write?.appendsEvent == true)
        #expect(step.write?.changes.remoteStatus?.code == 8)
        #expect(step.write?.changes.timing == timing)
        let repeated = try decided(.tracking, .remoteStatusSeen(.init(status: VersionStatus(code: 7))), context: running)
        #expect(repeated.write == nil && repeated.actions.isEmpty)
        let snapshot = JSONValue.object(["version_id": .integer(21)])
        let done = try decided(.tracking, .remoteStatusSeen(.init(status: VersionStatus(code: 10), snapshot: snapshot)), context: running)
        #expect(done.next == .succeeded)
        #expect(done.write?.changes.remoteSnapshot == snapshot)
        #expect(try decided(.tracking, .remoteStatusSeen(.init(status: VersionStatus(code: 11))), context: running).next == .failed)
        #expect(try decided(.tracking, .remoteStatusSeen(.init(status: VersionStatus(code: 13))), context: running).next == .stopped)
        // An undocumented code keeps tracking (stored as a step).
        #expect(try decided(.tracking, .remoteStatusSeen(.init(status: VersionStatus(code: 99))), context: running).next == nil)
        let gone = try decided(.tracking, .runVanished(reason: "HTTP 404"), context: running)
        #expect(gone.next == .failed)
        #expect(gone.reason == "HTTP 404")
        #expect(decide(.queued, .runVanished(reason: "x")).isRefused)
    }

    @Test func refusedEventsLeaveTheStateAlone() {
        var machine = Machine(state: .tracking, policy: policy)
        _ = machine.handle(.attemptStarting(serverClock: nil), context: context(), now: now)
        #expect(machine.state == .tracking)
    }
}

extension Result where Failure == SubmissionStateMachine.Refusal {
    var isRefused: Bool { refusal != nil }
    var refusal: SubmissionStateMachine.Refusal? {
        if case .failure(let refusal) = self { refusal } else { nil }
    }
}
