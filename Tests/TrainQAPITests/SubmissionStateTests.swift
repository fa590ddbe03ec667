import Testing
import TrainQAPI

@Suite struct SubmissionStateTests {
    @Test func terminalStatesHaveNoAutomaticSuccessor() {
        for state in SubmissionState.allCases where state.isTerminal {
            let next = state.allowedNext
            #expect(next.isEmpty || next == [.queued], "\(state) must only allow a manual re-queue")
        }
    }

    @Test func submittingIsNeverFollowedByQueued() {
        // A blind re-post creates a duplicate version: an unknown outcome must reconcile first.
        #expect(!SubmissionState.submitting.canMove(to: .queued))
        #expect(SubmissionState.submitting.canMove(to: .reconciling))
    }

    @Test func rawValuesAreTheAPIStrings() {
        #expect(SubmissionState.needsAttention.rawValue == "needs_attention")
        #expect(SubmissionState(rawValue: "tracking") == .tracking)
    }
}
