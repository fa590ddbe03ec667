import Testing

@testable import TrainQEngine

@Suite struct WakeSignalTests {
    @Test func aRingBeforeWaitingIsKept() async {
        let signal = WakeSignal()
        signal.ring()
        // Would hang (bounded by the 30 s timeout) if the ring were lost.
        let clock = ContinuousClock()
        let started = clock.now
        await signal.wait(timeout: .seconds(30))
        #expect(clock.now - started < .seconds(30))
    }

    @Test func aRingWakesAWaiter() async {
        let signal = WakeSignal()
        async let waited: Void = signal.wait(timeout: nil)
        try? await Task.sleep(for: .milliseconds(50))
        signal.ring()
        await waited
    }

    @Test func theTimeoutEndsAWait() async {
        let signal = WakeSignal()
        await signal.wait(timeout: .milliseconds(20))
        #expect(!signal.stopRequested)
    }

    @Test func stopIsRememberedAndWakes() async {
        let signal = WakeSignal()
        async let waited: Void = signal.wait(timeout: nil)
        try? await Task.sleep(for: .milliseconds(20))
        signal.requestStop()
        await waited
        #expect(signal.stopRequested)
    }
}
