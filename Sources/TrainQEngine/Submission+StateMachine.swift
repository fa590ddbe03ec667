import Foundation
import ModelArts
import TrainQAPI
import TrainQStore

/// The life of one submission (DESIGN §2) as a pure value: given the current state and what just happened,
/// it says which state comes next and what the services must do. It performs nothing itself: the store
/// applies the change with compare-and-set, the submitter and reconciler carry out the actions.
///
/// Every transition it produces is in `SubmissionState.allowedNext`; an event that does not fit the current
/// state is refused with a reason, never forced.
public struct SubmissionStateMachine: Sendable {
    /// What the machine knows about the submission besides its state: enough to apply the retry budget.
    public struct Context: Sendable, Hashable {
        /// Attempts made since the budget started, the one being decided included.
        public var attemptsInBudget: Int
        /// When the current budget started: the submission's creation, or the last `retry`/re-queue.
        public var budgetStartedAt: Date
        /// How the attempt before the one being decided ended (a second token refresh in a row gives up).
        public var previousOutcome: AttemptOutcome?

        public init(attemptsInBudget: Int, budgetStartedAt: Date, previousOutcome: AttemptOutcome? = nil) {
            self.attemptsInBudget = attemptsInBudget
            self.budgetStartedAt = budgetStartedAt
            self.previousOutcome = previousOutcome
        }
    }

    /// What reconciliation concluded about an attempt whose outcome was unknown.
    public enum ReconcileVerdict: Sendable, Hashable {
        /// Exactly one version is this attempt's: adopt it.
        case found(ObservedVersion)
        /// Nothing seen yet, but the listings do not yet span enough time: list again after the wait.
        case notSeenYet(relistAfter: Duration)
        /// Every listing over the whole schedule came back without a match: the create did not happen.
        case notCreated
        /// More than one version could be this attempt's.
        case ambiguous(candidates: [Int64])
        /// The versions could not be listed or compared (e.g. a permanent error on the list call).
        case undecidable(String)
    }

    /// How the version ended remotely, as the tracker reports it.
    public enum RemoteEnd: Sendable, Hashable {
        case succeeded, failed, stopped
    }

    /// A person's verdict on a `needs_attention` submission.
    public enum Resolution: Sendable, Hashable {
        case adopt(ObservedVersion)
        case requeue
        case cancel
    }

    public enum Event: Sendable, Hashable {
        /// A due submission (`queued`, or `retrying` whose time has come) is about to be sent.
        case attemptStarting
        /// The create answered with a new version.
        case versionCreated(ObservedVersion)
        /// The create failed; the class says how.
        case attemptFailed(AttemptFailure)
        /// The daemon found the submission `submitting` at start: its attempt's outcome is unknown.
        case daemonRestarted
        case reconciled(ReconcileVerdict)
        case remoteFinished(RemoteEnd)
        case cancelRequested
        /// `retry`: re-queue a `rejected` or `exhausted` submission with a fresh budget.
        case retryRequested
        case resolveRequested(Resolution)
    }

    public enum Action: Sendable, Hashable {
        /// Record the attempt (number, start time) durably, then send the create.
        case persistAttemptThenSend
        /// Track this version's remote status.
        case startTracking(ObservedVersion)
        /// The next attempt is due at `at`, `delay` after now.
        case scheduleAttempt(at: Date, delay: Duration)
        /// Get a new IAM token before the next attempt.
        case refreshToken
        /// List the job's versions to learn whether the attempt created one.
        case reconcile
        /// List again after this wait.
        case relist(after: Duration)
        /// Start a fresh attempt budget now.
        case resetBudget
    }

    /// Why an event was not applied.
    public enum Refusal: Error, Hashable, CustomStringConvertible {
        /// The event makes no sense in this state (e.g. `retry` on a `tracking` submission).
        case notAllowed(event: String, state: SubmissionState)
        /// Canceling a version that exists needs the remote stop call, which the tracker makes.
        case cancelNeedsRemoteStop

        public var description: String {
            switch self {
            case .notAllowed(let event, let state): "\(event) is not possible while the submission is \(state.rawValue)"
            case .cancelNeedsRemoteStop: "the version already exists: canceling it means stopping it remotely, which is not available yet"
            }
        }
    }

    /// What to do about an event.
    public struct Decision: Sendable, Hashable {
        /// The state to move to, or `nil` to stay.
        public var next: SubmissionState?
        public var actions: [Action]
        /// Why, in words, for the submission's story (the error, the budget that ran out, the candidates).
        public var reason: String?
        /// The outcome to record for the attempt that just ended, if one did.
        public var attemptOutcome: AttemptOutcome?
        /// The wait chosen after a failed attempt, recorded with it.
        public var chosenDelay: Duration?

        init(
            next: SubmissionState?, actions: [Action] = [], reason: String? = nil,
            attemptOutcome: AttemptOutcome? = nil, chosenDelay: Duration? = nil
        ) {
            self.next = next
            self.actions = actions
            self.reason = reason
            self.attemptOutcome = attemptOutcome
            self.chosenDelay = chosenDelay
        }
    }

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
        case (.queued, .attemptStarting):
            return .success(Decision(next: .submitting, actions: [.persistAttemptThenSend]))

        case (.retrying, .attemptStarting):
            // The age budget may have run out while the submission waited (or a reconcile re-queued it
            // with nothing left): give up without sending.
            if let limit = policy.spentLimit(
                attemptsMade: context.attemptsInBudget, budgetStartedAt: context.budgetStartedAt, nextAttemptAt: now
            ) {
                return .success(Decision(next: .exhausted, reason: limit.description))
            }
            return .success(Decision(next: .submitting, actions: [.persistAttemptThenSend]))

        case (.submitting, .versionCreated(let version)):
            return .success(Decision(next: .tracking, actions: [.startTracking(version)], attemptOutcome: .created))

        case (.submitting, .attemptFailed(let failure)):
            return .success(decideFailure(failure, context: context, now: now))

        case (.submitting, .daemonRestarted):
            return .success(
                Decision(
                    next: .reconciling, actions: [.reconcile],
                    reason: "the daemon stopped while an attempt was in flight", attemptOutcome: .interrupted
                )
            )

        case (.reconciling, .reconciled(let verdict)):
            return .success(decideReconciled(verdict, now: now))

        case (.tracking, .remoteFinished(let end)):
            switch end {
            case .succeeded: return .success(Decision(next: .succeeded))
            case .failed: return .success(Decision(next: .failed))
            case .stopped: return .success(Decision(next: .stopped))
            }

        case (.queued, .cancelRequested), (.retrying, .cancelRequested), (.needsAttention, .cancelRequested):
            return .success(Decision(next: .canceled, reason: "canceled by a person"))

        case (.tracking, .cancelRequested):
            return .failure(.cancelNeedsRemoteStop)

        case (.rejected, .retryRequested), (.exhausted, .retryRequested):
            return .success(Decision(next: .queued, actions: [.resetBudget], reason: "re-queued by a person with a fresh budget"))

        case (.needsAttention, .resolveRequested(let resolution)):
            switch resolution {
            case .adopt(let version):
                return .success(
                    Decision(
                        next: .tracking, actions: [.startTracking(version)],
                        reason: "a person adopted version \(version.id)"
                    )
                )
            case .requeue:
                return .success(
                    Decision(
                        next: .retrying, actions: [.resetBudget, .scheduleAttempt(at: now, delay: .zero)],
                        reason: "a person re-queued it: no version was created"
                    )
                )
            case .cancel:
                return .success(Decision(next: .canceled, reason: "canceled by a person"))
            }

        default:
            return .failure(.notAllowed(event: event.name, state: state))
        }
    }

    /// The classification → outcome map (reference §4.5), with the budget applied.
    private func decideFailure(_ failure: AttemptFailure, context: Context, now: Date) -> Decision {
        let outcome = AttemptOutcome(failure.errorClass)
        switch failure.errorClass {
        case .permanent:
            return Decision(next: .rejected, reason: failure.summary, attemptOutcome: outcome)

        case .unknownOutcome:
            // A create may have happened: never re-send blindly, find out first.
            return Decision(
                next: .reconciling, actions: [.reconcile],
                reason: "outcome unknown, \(failure.summary)", attemptOutcome: outcome
            )

        case .tokenRefresh:
            // Refresh, then retry once: a second refusal right after a fresh token will not heal by itself.
            if context.previousOutcome == .tokenRefresh {
                return Decision(
                    next: .rejected,
                    reason: "refused again right after a token refresh, \(failure.summary)",
                    attemptOutcome: outcome
                )
            }
            if let limit = policy.spentLimit(
                attemptsMade: context.attemptsInBudget, budgetStartedAt: context.budgetStartedAt, nextAttemptAt: now
            ) {
                return Decision(next: .exhausted, reason: "\(limit.description); last error \(failure.summary)", attemptOutcome: outcome)
            }
            return Decision(
                next: .retrying, actions: [.refreshToken, .scheduleAttempt(at: now, delay: .zero)],
                reason: failure.summary, attemptOutcome: outcome, chosenDelay: .zero
            )

        case .transient, .slow:
            let delay = policy.delay(for: failure.errorClass, afterAttempt: context.attemptsInBudget, hints: failure.hints)
            let nextAttemptAt = now.adding(delay)
            if let limit = policy.spentLimit(
                attemptsMade: context.attemptsInBudget, budgetStartedAt: context.budgetStartedAt,
                nextAttemptAt: nextAttemptAt
            ) {
                return Decision(next: .exhausted, reason: "\(limit.description); last error \(failure.summary)", attemptOutcome: outcome)
            }
            return Decision(
                next: .retrying, actions: [.scheduleAttempt(at: nextAttemptAt, delay: delay)],
                reason: failure.summary, attemptOutcome: outcome, chosenDelay: delay
            )
        }
    }

    private func decideReconciled(_ verdict: ReconcileVerdict, now: Date) -> Decision {
        switch verdict {
        case .found(let version):
            return Decision(
                next: .tracking, actions: [.startTracking(version)],
                reason: "reconciliation found version \(version.id)"
            )
        case .notSeenYet(let wait):
            return Decision(next: nil, actions: [.relist(after: wait)])
        case .notCreated:
            // The budget is checked when the next attempt starts (retrying → exhausted).
            return Decision(
                next: .retrying, actions: [.scheduleAttempt(at: now, delay: .zero)],
                reason: "reconciliation found no version from the attempt: sending again"
            )
        case .ambiguous(let candidates):
            let ids = candidates.sorted().map(String.init).joined(separator: ", ")
            return Decision(
                next: .needsAttention,
                reason: "several versions could be this submission's: \(ids); adopt one, re-queue or cancel"
            )
        case .undecidable(let why):
            return Decision(next: .needsAttention, reason: "reconciliation could not decide: \(why)")
        }
    }
}

extension SubmissionStateMachine.Event {
    /// The event's name, for refusals and logs.
    public var name: String {
        switch self {
        case .attemptStarting: "attempt start"
        case .versionCreated: "version created"
        case .attemptFailed: "attempt failure"
        case .daemonRestarted: "daemon restart"
        case .reconciled: "reconcile verdict"
        case .remoteFinished: "remote end"
        case .cancelRequested: "cancel"
        case .retryRequested: "retry"
        case .resolveRequested: "resolve"
        }
    }
}
