import Foundation
import Testing
@testable import ModelArts

@Suite struct IAMTokenStateMachineTests {
    typealias Machine = IAMTokenProvider.StateMachine<Int>
    static let start = Date(timeIntervalSince1970: 1_700_000_000)
    static let day: TimeInterval = 86_400
    static let hour: TimeInterval = 3_600

    static func token(_ name: String, validFor seconds: TimeInterval) -> IAMToken {
        IAMToken(value: name, expiresAt: start.addingTimeInterval(seconds))
    }

    static func machine(holding token: IAMToken?) -> Machine {
        var machine = Machine(refreshAhead: hour, retryRefreshAfter: 30)
        if let token {
            machine.refreshStarted(0, previous: nil)
            _ = machine.refreshFinished(0, succeeded: token, fallback: nil, now: start)
        }
        return machine
    }

    @Test func firstCallerStartsARefreshOthersJoinIt() {
        var machine = Self.machine(holding: nil)
        #expect(machine.tokenRequested(now: Self.start) == .startRefresh(previous: nil, fallback: nil))
        machine.refreshStarted(1, previous: nil)
        #expect(machine.tokenRequested(now: Self.start) == .join(1, fallback: nil))
        let fresh = Self.token("t1", validFor: Self.day)
        #expect(machine.refreshFinished(1, succeeded: fresh, fallback: nil, now: Self.start) == .use(fresh))
        // The second caller comes back after the state moved on; it gets the same token.
        #expect(machine.refreshFinished(1, succeeded: fresh, fallback: nil, now: Self.start) == .use(fresh))
        #expect(machine.tokenRequested(now: Self.start) == .use(fresh))
    }

    @Test func refreshesAnHourBeforeExpiry() {
        let token = Self.token("t1", validFor: Self.day)
        let machine = Self.machine(holding: token)
        #expect(machine.tokenRequested(now: Self.start.addingTimeInterval(Self.day - Self.hour - 1)) == .use(token))
        #expect(machine.tokenRequested(now: Self.start.addingTimeInterval(Self.day - Self.hour))
            == .startRefresh(previous: token, fallback: token))
    }

    @Test func failedEarlyRefreshKeepsTheOldTokenAndWaitsBeforeTryingAgain() {
        let token = Self.token("t1", validFor: Self.day)
        var machine = Self.machine(holding: token)
        let early = Self.start.addingTimeInterval(Self.day - Self.hour / 2)
        machine.refreshStarted(2, previous: token)
        #expect(machine.refreshFinished(2, succeeded: nil, fallback: token, now: early) == .useFallback(token))
        #expect(machine.tokenRequested(now: early.addingTimeInterval(10)) == .use(token))
        #expect(machine.tokenRequested(now: early.addingTimeInterval(31)) == .startRefresh(previous: token, fallback: token))
    }

    @Test func failedRefreshOfAnExpiredTokenFails() {
        let token = Self.token("t1", validFor: Self.day)
        var machine = Self.machine(holding: token)
        let late = Self.start.addingTimeInterval(Self.day + 1)
        #expect(machine.tokenRequested(now: late) == .startRefresh(previous: token, fallback: token))
        machine.refreshStarted(3, previous: token)
        #expect(machine.refreshFinished(3, succeeded: nil, fallback: token, now: late) == .fail)
        #expect(machine.tokenRequested(now: late) == .startRefresh(previous: token, fallback: token))
    }

    @Test func aRejectedTokenIsNeverHandedOutAgain() {
        let old = Self.token("old", validFor: Self.day)
        var machine = Self.machine(holding: old)
        #expect(machine.tokenRejected(old) == .startRefresh(previous: nil, fallback: nil))
        machine.refreshStarted(4, previous: nil)
        // A second caller refused with the same token joins the same refresh, with no fallback.
        #expect(machine.tokenRejected(old) == .join(4, fallback: nil))
        let fresh = Self.token("new", validFor: Self.day)
        #expect(machine.refreshFinished(4, succeeded: fresh, fallback: nil, now: Self.start) == .use(fresh))
        // A caller whose rejection arrives late gets the replacement without another request.
        #expect(machine.tokenRejected(old) == .use(fresh))
    }

    @Test func aFailedRefreshAfterRejectionDoesNotFallBack() {
        let old = Self.token("old", validFor: Self.day)
        var machine = Self.machine(holding: old)
        machine.refreshStarted(5, previous: nil)
        #expect(machine.refreshFinished(5, succeeded: nil, fallback: nil, now: Self.start) == .fail)
        #expect(machine.tokenRequested(now: Self.start) == .startRefresh(previous: nil, fallback: nil))
    }

    @Test func shutDownRefusesAndHandsBackTheRequestInFlight() {
        var machine = Self.machine(holding: nil)
        machine.refreshStarted(6, previous: nil)
        #expect(machine.shutDown() == 6)
        #expect(machine.tokenRequested(now: Self.start) == .refuse)
        machine.refreshStarted(7, previous: nil)
        #expect(machine.tokenRequested(now: Self.start) == .refuse)
    }
}
