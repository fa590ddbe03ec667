import Foundation
import ModelArts
import TrainQAPI
import TrainQStore

/// The life of one submission (DESIGN §2) as a pure value, and the only place that decides it: given the
/// current state and what just happened, it says which state comes next, what to write with it and what
/// the engine must do then. It performs nothing itself; `DecisionExecutor` applies the write with
/// compare-and-set and carries out the actions.
///
/// Every transition it produces is in `SubmissionState.allowedNext`; an event that does not fit the current
/// state is refused with a reason, never forced.
public struct SubmissionStateMachine: Sendable {
    /// Why `daemonRestarted` moved a submission, as its history shows it.
    public static let restartReason = "daemon restarted during an attempt"

    public private(set) var state: SubmissionState
    public let policy: RetryPolicy

    public init(state: SubmissionState, policy: RetryPolicy) {
        self.state = state
        self.policy = policy
    }

    /// Decides what `event` means in the current state and, when it is allowed, moves to the next state.
    public mutating func handle(_ event: Event, context: Context, now: Date) -> Result<Decision, Refusal> {
        let result = decide(event, context: context, now: now)
        if case .success(let decision) = result, let next = decision.next {
            state = next
        }
        return result
    }

    private func decide(_ event: Event, context: Context, now: Date) -> Result<Decision, Refusal> {
        switch (state, event) {
        case (.queued, .attemptStarting(let serverClock)):
            return .success(startAttempt(now: now, serverClock: serverClock))

        case (.retrying, .attemptStarting(let serverClock)):
            // The age budget may have run out while the submission waited (or a reconcile re-queued it
            // with nothing left): give up without sending.
            if let limit = policy.spentLimit(
                attemptsMade: context.attemptsInBudget, budgetStartedAt: context.budgetStartedAt, nextAttemptAt: now
            ) {
                return .success(Decision(write: move(to: .exhausted, reason: limit.description, at: now)))
            }
            return .success(startAttempt(now: now, serverClock: serverClock))

        case (.submitting, .runCreated(let observed)):
            var changes = observed.changes
            changes.remoteStatus = observed.remoteStatus(at: now)
            changes.lastError = .clear
            return .success(
                Decision(
                    write: move(to: .tracking, changes: changes, attempt: .finish(.created(observed, at: now)), at: now),
                    actions: [.countAttempt(.created)], attemptOutcome: .created))

        case (.submitting, .attemptFailed(let failure)):
            return .success(decideFailure(failure, context: context, now: now))

        case (.submitting, .daemonRestarted):
            return .success(
                Decision(
                    write: move(to: .reconciling, attempt: .interrupt(at: now), reason: Self.restartReason, at: now),
                    actions: [.countAttempt(.interrupted), .wakeReconciler], attemptOutcome: .interrupted))

        case (.reconciling, .reconciled(let verdict)):
            return .success(decideReconciled(verdict, now: now))

        case (.tracking, .remoteStatusSeen(let observation)):
            return .success(decideRemoteStatus(observation, context: context, now: now))

        case (.tracking, .runVanished(let reason, let lastSeen)):
            // An aged-out v2 record keeps the last state seen: a terminal phase read once already is
            // how the job ended.
            if let lastSeen, let terminal = RemoteStatusMapping.terminalState(forName: lastSeen.name, code: lastSeen.code) {
                return .success(
                    Decision(write: move(to: terminal, reason: "\(reason); it last read \(lastSeen.name)", at: now)))
            }
            return .success(Decision(write: move(to: .failed, reason: reason, at: now)))

        case (.queued, .cancelRequested), (.retrying, .cancelRequested), (.needsAttention, .cancelRequested):
            return .success(
                Decision(write: move(to: .canceled, reason: "canceled by a person", at: now), actions: [.wakeSubmitter]))

        case (.tracking, .cancelRequested):
            // The version or job exists: stopping it is ModelArts' to do, and the state follows its status.
            guard let run = context.run else { break }
            return .success(Decision(write: nil, actions: [.stopRun(run), .pollSoon]))

        case (.rejected, .retryRequested), (.exhausted, .retryRequested):
            return .success(
                Decision(
                    write: move(
                        to: .queued, changes: SubmissionChanges(resetBudget: true),
                        reason: "re-queued by a person with a fresh budget", at: now),
                    actions: [.wakeSubmitter]))

        case (.needsAttention, .resolveRequested(let resolution)):
            return .success(decideResolution(resolution, now: now))

        default:
            break
        }
        return .failure(.notAllowed(event: event.name, state: state))
    }

    /// The move to `submitting`: the attempt is numbered and on disk before anything is sent.
    private func startAttempt(now: Date, serverClock: Date?) -> Decision {
        Decision(
            write: move(to: .submitting, attempt: .begin(at: now, serverEarliest: serverClock), at: now),
            actions: [.sendCreate])
    }

    /// The classification → outcome map (reference §4.5), with the budget applied.
    private func decideFailure(_ failure: AttemptFailure, context: Context, now: Date) -> Decision {
        let outcome = AttemptOutcome(failure.errorClass)
        let lastError = SubmissionChanges(lastError: .set(LastError(failure)))
        func ended(delay: Duration? = nil) -> AttemptWrite {
            .finish(AttemptResult(failure: failure, outcome: outcome, delay: delay, at: now))
        }
        func exhausted(_ limit: RetryPolicy.BudgetLimit) -> Decision {
            Decision(
                write: move(
                    to: .exhausted, changes: lastError, attempt: ended(),
                    reason: "\(limit.description); last error \(failure.summary)", at: now),
                actions: [.countAttempt(outcome)], attemptOutcome: outcome)
        }
        func retrying(after delay: Duration) -> Decision {
            var changes = lastError
            changes.nextAttemptAt = now.adding(delay)
            return Decision(
                write: move(to: .retrying, changes: changes, attempt: ended(delay: delay), reason: failure.summary, at: now),
                actions: [.countAttempt(outcome)], attemptOutcome: outcome, chosenDelay: delay)
        }

        switch failure.errorClass {
        case .permanent:
            return Decision(
                write: move(to: .rejected, changes: lastError, attempt: ended(), reason: failure.summary, at: now),
                actions: [.countAttempt(outcome)], attemptOutcome: outcome)

        case .unknownOutcome:
            // A create may have happened: never re-send blindly, find out first.
            return Decision(
                write: move(
                    to: .reconciling, changes: lastError, attempt: ended(), reason: "outcome unknown, \(failure.summary)",
                    at: now),
                actions: [.countAttempt(outcome), .wakeReconciler], attemptOutcome: outcome)

        case .tokenRefresh:
            // The client has already refreshed the token and retried once inside the call; a second
            // refusal right after a fresh token will not heal by itself.
            if context.previousOutcome == .tokenRefresh {
                return Decision(
                    write: move(
                        to: .rejected, changes: lastError, attempt: ended(),
                        reason: "refused again right after a token refresh, \(failure.summary)", at: now),
                    actions: [.countAttempt(outcome)], attemptOutcome: outcome)
            }
            if let limit = policy.spentLimit(
                attemptsMade: context.attemptsInBudget, budgetStartedAt: context.budgetStartedAt, nextAttemptAt: now
            ) {
                return exhausted(limit)
            }
            return retrying(after: .zero)

        case .throttled:
            // Waiting its turn is not a failure: the attempt is given back to the budget, and only the
            // age limit ends a submission that is throttled again and again.
            let delay = policy.throttledDelay(hints: failure.hints)
            if let limit = policy.spentAge(budgetStartedAt: context.budgetStartedAt, nextAttemptAt: now.adding(delay)) {
                return exhausted(limit)
            }
            var changes = lastError
            changes.nextAttemptAt = now.adding(delay)
            changes.refundAttempt = true
            return Decision(
                write: move(
                    to: .retrying, changes: changes, attempt: ended(delay: delay),
                    reason: "throttled, waiting \(delay.formattedSeconds): \(failure.summary)", at: now),
                actions: [.countAttempt(outcome)], attemptOutcome: outcome, chosenDelay: delay)

        case .transient, .slow:
            let delay = policy.delay(for: failure.errorClass, afterAttempt: context.attemptsInBudget, hints: failure.hints)
            if let limit = policy.spentLimit(
                attemptsMade: context.attemptsInBudget, budgetStartedAt: context.budgetStartedAt,
                nextAttemptAt: now.adding(delay)
            ) {
                return exhausted(limit)
            }
            return retrying(after: delay)
        }
    }

    private func decideReconciled(_ verdict: ReconcileVerdict, now: Date) -> Decision {
        switch verdict {
        case .found(let observed):
            let reason = "reconciliation found \(observed.run)"
            var changes = observed.changes
            changes.remoteStatus = observed.remoteStatus(at: now)
            changes.lastError = .clear
            return Decision(
                write: move(
                    to: .tracking, changes: changes, attempt: .finish(.created(observed, at: now, note: reason)),
                    reason: reason, at: now),
                actions: [.wakeSubmitter])
        case .notSeenYet(let emptyListings, let wait):
            // The schedule's progress goes on the row, so a restart resumes it rather than starting over.
            let progress = RelistProgress(emptyListings: emptyListings, nextListingAt: now.adding(wait))
            return Decision(
                write: SubmissionWrite(
                    expected: state, next: nil, changes: SubmissionChanges(relist: progress), appendsEvent: false, at: now))
        case .notCreated:
            // The budget is checked when the next attempt starts (retrying → exhausted).
            return Decision(
                write: move(
                    to: .retrying, changes: SubmissionChanges(nextAttemptAt: now),
                    reason: "reconciliation found no version from the attempt: sending again", at: now),
                actions: [.wakeSubmitter])
        case .ambiguous(let candidates):
            let ids = candidates.sorted().joined(separator: ", ")
            return Decision(
                write: move(
                    to: .needsAttention,
                    reason: "several versions or jobs could be this submission's: \(ids); adopt one, re-queue or cancel",
                    at: now))
        case .undecidable(let why):
            return Decision(write: move(to: .needsAttention, reason: "reconciliation could not decide: \(why)", at: now))
        }
    }

    /// A terminal status ends tracking with the last detail, once as many polls in a row as the API
    /// needs have seen it (a v2 job: two, since jobs restart); a new status is stored as a step of the
    /// history; the same status again writes nothing.
    private func decideRemoteStatus(_ observation: RemoteObservation, context: Context, now: Date) -> Decision {
        let status = observation.status
        let remote = RemoteStatusMapping.remoteStatus(status, at: now)
        let confirmed = status.confirmationsNeeded <= 1 || context.remoteStatusName == status.name
        if let terminal = RemoteStatusMapping.terminalState(for: status), confirmed {
            let changes = SubmissionChanges(
                remoteStatus: remote, remoteSnapshot: observation.snapshot, timing: observation.timing)
            return Decision(
                write: move(to: terminal, changes: changes, reason: RemoteStatusMapping.reason(for: status), at: now))
        }
        guard context.remoteStatusName != status.name else { return Decision(write: nil) }
        // A terminal phase seen once is stored as a step; the next poll, one short interval later since
        // the status changed, confirms it or shows the job running again.
        return Decision(
            write: SubmissionWrite(
                expected: .tracking, next: nil, changes: SubmissionChanges(remoteStatus: remote, timing: observation.timing),
                appendsEvent: true, at: now))
    }

    private func decideResolution(_ resolution: Resolution, now: Date) -> Decision {
        switch resolution {
        case .adopt(let observed):
            var changes = observed.changes
            changes.remoteStatus = observed.remoteStatus(at: now)
            return Decision(
                write: move(to: .tracking, changes: changes, reason: "a person adopted \(observed.run)", at: now),
                actions: [.wakeSubmitter])
        case .requeue:
            return Decision(
                write: move(
                    to: .retrying, changes: SubmissionChanges(nextAttemptAt: now, resetBudget: true),
                    reason: "a person re-queued it: no version was created", at: now),
                actions: [.wakeSubmitter])
        case .cancel:
            return Decision(write: move(to: .canceled, reason: "canceled by a person", at: now), actions: [.wakeSubmitter])
        }
    }

    /// A state change from the current state, compare-and-set on it.
    private func move(
        to next: SubmissionState, changes: SubmissionChanges = .none, attempt: AttemptWrite? = nil,
        reason: String? = nil, at now: Date
    ) -> SubmissionWrite {
        var changes = changes
        // `next_attempt_at` means "due at" while waiting (at once unless a backoff says later), and
        // nothing in every other state.
        switch next {
        case .queued, .retrying:
            changes.nextAttemptAt = changes.nextAttemptAt ?? now
        case .submitting, .reconciling, .tracking, .succeeded, .failed, .stopped, .rejected, .exhausted, .canceled,
            .needsAttention:
            changes.nextAttemptAt = nil
        }
        // Every outcome to reconcile starts the re-list schedule afresh.
        if next == .reconciling { changes.relist = .fresh }
        return SubmissionWrite(expected: state, next: next, changes: changes, attempt: attempt, reason: reason, at: now)
    }
}
