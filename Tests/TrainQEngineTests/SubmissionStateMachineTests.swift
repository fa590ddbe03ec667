import Foundation
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
    let version = ObservedVersion(id: 21, name: "V0002", status: VersionStatus(code: 1))

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
            .attemptStarting, .versionCreated(version), .daemonRestarted,
            .reconciled(.found(version)), .reconciled(.notSeenYet(relistAfter: .seconds(2))), .reconciled(.notCreated),
            .reconciled(.ambiguous(candidates: [21, 22])), .reconciled(.undecidable("list failed")),
            .remoteFinished(.succeeded), .remoteFinished(.failed), .remoteFinished(.stopped),
            .cancelRequested, .retryRequested,
            .resolveRequested(.adopt(version)), .resolveRequested(.requeue), .resolveRequested(.cancel),
        ]
        for errorClass in ErrorClass.allCases {
            events.append(.attemptFailed(failure(errorClass)))
        }
        return events
    }

    var allContexts: [Machine.Context] {
        [context(), context(attempts: 3), context(previous: .tokenRefresh), context(age: 10_000)]
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
        let decision = try decided(.queued, .attemptStarting, context: context(attempts: 0))
        #expect(decision.next == .submitting)
        #expect(decision.actions == [.persistAttemptThenSend])
    }

    @Test func successStartsTracking() throws {
        let decision = try decided(.submitting, .versionCreated(version))
        #expect(decision.next == .tracking)
        #expect(decision.actions == [.startTracking(version)])
        #expect(decision.attemptOutcome == .created)
    }

    @Test func transientFailureSchedulesAJitteredRetry() throws {
        // Second attempt failed: ceiling 2s, random 0.5 → 1s.
        let decision = try decided(.submitting, .attemptFailed(failure(.transient)), context: context(attempts: 2))
        #expect(decision.next == .retrying)
        #expect(decision.chosenDelay == .seconds(1))
        #expect(decision.actions == [.scheduleAttempt(at: now.addingTimeInterval(1), delay: .seconds(1))])
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
        #expect(decision.actions.isEmpty)
    }

    @Test func unknownOutcomeReconcilesAndNeverResends() throws {
        let decision = try decided(.submitting, .attemptFailed(failure(.unknownOutcome)))
        #expect(decision.next == .reconciling)
        #expect(decision.actions == [.reconcile])
        #expect(!decision.actions.contains(.persistAttemptThenSend))
    }

    @Test func tokenRefreshRefreshesAndRetriesOnce() throws {
        let first = try decided(.submitting, .attemptFailed(failure(.tokenRefresh)))
        #expect(first.next == .retrying)
        #expect(first.actions == [.refreshToken, .scheduleAttempt(at: now, delay: .zero)])
        let second = try decided(.submitting, .attemptFailed(failure(.tokenRefresh)), context: context(attempts: 2, previous: .tokenRefresh))
        #expect(second.next == .rejected)
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
        let decision = try decided(.retrying, .attemptStarting, context: context(attempts: 3))
        #expect(decision.next == .exhausted)
        #expect(decision.actions.isEmpty)
        let old = try decided(.retrying, .attemptStarting, context: context(attempts: 1, age: 601))
        #expect(old.next == .exhausted)
        let fine = try decided(.retrying, .attemptStarting, context: context(attempts: 2))
        #expect(fine.next == .submitting)
    }

    @Test func restartMovesInFlightAttemptsToReconciling() throws {
        let decision = try decided(.submitting, .daemonRestarted)
        #expect(decision.next == .reconciling)
        #expect(decision.attemptOutcome == .interrupted)
        #expect(decide(.queued, .daemonRestarted).isRefused)
    }

    @Test func reconcileVerdicts() throws {
        #expect(try decided(.reconciling, .reconciled(.found(version))).next == .tracking)
        let wait = try decided(.reconciling, .reconciled(.notSeenYet(relistAfter: .seconds(5))))
        #expect(wait.next == nil)
        #expect(wait.actions == [.relist(after: .seconds(5))])
        let requeue = try decided(.reconciling, .reconciled(.notCreated))
        #expect(requeue.next == .retrying)
        #expect(requeue.actions == [.scheduleAttempt(at: now, delay: .zero)])
        let ambiguous = try decided(.reconciling, .reconciled(.ambiguous(candidates: [23, 21])))
        #expect(ambiguous.next == .needsAttention)
        #expect(ambiguous.reason?.contains("21, 23") == true)
    }

    @Test func personActions() throws {
        #expect(try decided(.queued, .cancelRequested).next == .canceled)
        #expect(try decided(.retrying, .cancelRequested).next == .canceled)
        #expect(decide(.tracking, .cancelRequested).refusal == .cancelNeedsRemoteStop)
        #expect(decide(.submitting, .cancelRequested).refusal == .notAllowed(event: "cancel", state: .submitting))
        let retry = try decided(.exhausted, .retryRequested)
        #expect(retry.next == .queued)
        #expect(retry.actions == [.resetBudget])
        #expect(try decided(.rejected, .retryRequested).next == .queued)
        #expect(decide(.succeeded, .retryRequested).isRefused)
        #expect(try decided(.needsAttention, .resolveRequested(.adopt(version))).next == .tracking)
        let requeue = try decided(.needsAttention, .resolveRequested(.requeue))
        #expect(requeue.next == .retrying)
        #expect(requeue.actions.contains(.resetBudget))
        #expect(try decided(.needsAttention, .resolveRequested(.cancel)).next == .canceled)
        #expect(decide(.reconciling, .resolveRequested(.requeue)).isRefused)
    }

    @Test func refusedEventsLeaveTheStateAlone() {
        var machine = Machine(state: .tracking, policy: policy)
        _ = machine.handle(.attemptStarting, context: context(), now: now)
        #expect(machine.state == .tracking)
    }
}

extension Result where Failure == SubmissionStateMachine.Refusal {
    var isRefused: Bool { refusal != nil }
    var refusal: SubmissionStateMachine.Refusal? {
        if case .failure(let refusal) = self { refusal } else { nil }
    }
}
