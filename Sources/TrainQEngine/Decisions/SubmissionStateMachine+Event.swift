import Foundation
import JSONTree
import ModelArts
import TrainQAPI
import TrainQStore

extension SubmissionStateMachine {
    /// Everything that can happen to a submission. Each is sent to the machine, and only the machine
    /// decides what it means.
    public enum Event: Sendable, Hashable {
        /// A due submission (`queued`, or `retrying` whose time has come) is about to be sent.
        /// `serverClock` is the earliest ModelArts' clock can read now, when its answers have told it.
        case attemptStarting(serverClock: Date?)
        /// The create answered with a new version (v1) or job (v2).
        case runCreated(ObservedRun)
        /// The create failed; the class says how.
        case attemptFailed(AttemptFailure)
        /// The daemon found the submission `submitting` at start: its attempt's outcome is unknown.
        case daemonRestarted
        case reconciled(ReconcileVerdict)
        /// A poll of the tracked version saw this status.
        case remoteStatusSeen(RemoteObservation)
        /// ModelArts says the tracked version or job does not exist (a 404 for a version, 400
        /// `ModelArts.2775` for an aged-out v2 job). `lastSeen` is the status stored before.
        case runVanished(reason: String, lastSeen: RemoteStatus? = nil)
        /// A person cancels: before a version exists it ends here, while tracking it stops the version.
        case cancelRequested
        /// `retry`: re-queue a `rejected` or `exhausted` submission with a fresh budget.
        case retryRequested
        case resolveRequested(Resolution)
    }

    /// What reconciliation concluded about an attempt whose outcome was unknown.
    public enum ReconcileVerdict: Sendable, Hashable {
        /// Exactly one version (or job of this submission's name) is this attempt's: adopt it.
        case found(ObservedRun)
        /// Nothing seen yet in `emptyListings` listings, which do not yet span enough time: list again
        /// after the wait.
        case notSeenYet(emptyListings: Int, relistAfter: Duration)
        /// Every listing over the whole schedule came back without a match: the create did not happen.
        case notCreated
        /// More than one version or job could be this attempt's: their ids.
        case ambiguous(candidates: [String])
        /// The versions could not be listed or compared (e.g. a permanent error on the list call).
        case undecidable(String)
    }

    /// A version's status as one poll saw it, with what the detail says about its run.
    public struct RemoteObservation: Sendable, Hashable {
        public var status: RemoteRunStatus
        public var timing: RemoteTiming?
        /// The whole detail, kept as the final word when the status is terminal.
        public var snapshot: JSONValue?

        public init(status: RemoteRunStatus, timing: RemoteTiming? = nil, snapshot: JSONValue? = nil) {
            self.status = status
            self.timing = timing
            self.snapshot = snapshot
        }

        /// A v1 version's status.
        public init(status: VersionStatus, timing: RemoteTiming? = nil, snapshot: JSONValue? = nil) {
            self.init(status: RemoteRunStatus(status), timing: timing, snapshot: snapshot)
        }
    }

    /// A person's verdict on a `needs_attention` submission.
    public enum Resolution: Sendable, Hashable {
        case adopt(ObservedRun)
        case requeue
        case cancel
    }
}

extension SubmissionStateMachine.Event {
    /// The event's name, for refusals and logs.
    public var name: String {
        switch self {
        case .attemptStarting: "attempt start"
        case .runCreated: "created"
        case .attemptFailed: "attempt failure"
        case .daemonRestarted: "daemon restart"
        case .reconciled: "reconcile verdict"
        case .remoteStatusSeen: "remote status"
        case .runVanished: "vanished"
        case .cancelRequested: "cancel"
        case .retryRequested: "retry"
        case .resolveRequested: "resolve"
        }
    }
}
