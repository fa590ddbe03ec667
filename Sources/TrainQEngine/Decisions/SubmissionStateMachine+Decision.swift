import Foundation
import TrainQAPI
import TrainQStore

extension SubmissionStateMachine {
    /// What the machine knows about the submission besides its state.
    public struct Context: Sendable, Hashable {
        /// Attempts made since the budget started, the one being decided included.
        public var attemptsInBudget: Int
        /// When the current budget started: the submission's creation, or the last `retry`/re-queue.
        public var budgetStartedAt: Date
        /// How the attempt before the one being decided ended (a second token refresh in a row gives up).
        public var previousOutcome: AttemptOutcome?
        /// The version or job being tracked, to stop it.
        public var run: RemoteRun?
        /// The remote status last stored, by name: an unchanged status writes nothing, and a v2 terminal
        /// phase counts only when the poll before saw it too.
        public var remoteStatusName: String?

        public init(
            attemptsInBudget: Int, budgetStartedAt: Date, previousOutcome: AttemptOutcome? = nil,
            run: RemoteRun? = nil, remoteStatusName: String? = nil
        ) {
            self.attemptsInBudget = attemptsInBudget
            self.budgetStartedAt = budgetStartedAt
            self.previousOutcome = previousOutcome
            self.run = run
            self.remoteStatusName = remoteStatusName
        }

        /// What a stored row tells: its budget, its latest finished attempt, its version and status.
        public init(_ stored: StoredSubmission) {
            self.init(
                attemptsInBudget: stored.attemptCount, budgetStartedAt: stored.budgetStartedAt,
                previousOutcome: stored.view.attempts.last(where: { $0.outcome != nil })?.outcome
                    .flatMap(AttemptOutcome.init(rawValue:)),
                run: stored.run, remoteStatusName: stored.view.remoteStatus?.name)
        }
    }

    /// What the executor does after the decision's write is committed. Every case is carried out in
    /// `DecisionExecutor.run(_:)`'s one switch.
    public enum Action: Sendable, Hashable {
        /// The attempt is on disk: send the create, then report how it went as the next event.
        case sendCreate
        /// A job may be free again, or a submission due: the submitter looks for work.
        case wakeSubmitter
        /// An attempt's outcome is unknown: the reconciler lists the job's versions.
        case wakeReconciler
        /// Ask ModelArts to stop this version or terminate this job; the tracker then follows its status
        /// to `stopped`.
        case stopRun(RemoteRun)
        /// The tracker polls this submission's version at its next round.
        case pollSoon
        /// One attempt ended this way (the `trainq_submit_attempts_total` counter).
        case countAttempt(AttemptOutcome)
    }

    /// Why an event was not applied.
    public enum Refusal: Error, Hashable, CustomStringConvertible {
        /// The event makes no sense in this state (e.g. `retry` on a `tracking` submission).
        case notAllowed(event: String, state: SubmissionState)

        public var description: String {
            switch self {
            case .notAllowed(let event, let state): "\(event) is not possible while the submission is \(state.rawValue)"
            }
        }
    }

    /// What to do about an event: the one write (state, row, attempt, event) and what follows it.
    public struct Decision: Sendable, Hashable {
        /// What to store in one transaction, or nil when nothing changes.
        public var write: SubmissionWrite?
        public var actions: [Action]
        /// The outcome recorded for the attempt that just ended, if one did.
        public var attemptOutcome: AttemptOutcome?
        /// The wait chosen after a failed attempt, recorded with it.
        public var chosenDelay: Duration?

        init(
            write: SubmissionWrite?, actions: [Action] = [], attemptOutcome: AttemptOutcome? = nil,
            chosenDelay: Duration? = nil
        ) {
            self.write = write
            self.actions = actions
            self.attemptOutcome = attemptOutcome
            self.chosenDelay = chosenDelay
        }

        /// The state to move to, or nil to stay.
        public var next: SubmissionState? { write?.next }
        /// Why, in words, for the submission's story.
        public var reason: String? { write?.reason }
    }
}
