import Foundation
import Testing

@testable import ModelArts

@Suite struct ServerClockTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func oneDateHeaderBoundsTheOffsetByItsSecondAndTheRoundTrip() throws {
        let clock = ServerClock()
        #expect(clock.current == nil)
        #expect(clock.earliestServerTime(atLocal: t0) == nil)
        // Sent at t0, answered at t0 + 0.2 s, stamped 600 s behind.
        clock.observe(dateHeader: "Fri, 15 Jan 2027 07:50:00 GMT", sent: t0, received: t0.addingTimeInterval(0.2))
        let stamp = try #require(ServerClock.parseHTTPDate("Fri, 15 Jan 2027 07:50:00 GMT"))
        let offset = try #require(clock.current)
        #expect(offset.lowest == .milliseconds(Int64(stamp.timeIntervalSince(t0) * 1000) - 200))
        #expect(offset.uncertainty == .milliseconds(1200))
        let earliest = try #require(clock.earliestServerTime(atLocal: t0))
        #expect(abs(earliest.timeIntervalSince(t0) - (stamp.timeIntervalSince(t0) - 0.2)) < 0.001)
    }

    @Test func consistentSamplesNarrowTheBound() throws {
        let clock = ServerClock()
        let server = t0.addingTimeInterval(-600)
        clock.observe(serverTime: server, resolution: .seconds(1), sent: t0, received: t0.addingTimeInterval(0.1))
        // A millisecond reading a second later agrees, and narrows the bound to a tenth of a second.
        clock.observe(
            serverTime: server.addingTimeInterval(1.4), resolution: .milliseconds(1), sent: t0.addingTimeInterval(1),
            received: t0.addingTimeInterval(1.1))
        let offset = try #require(clock.current)
        #expect(offset.uncertainty < .milliseconds(400))
        #expect(offset.lowest >= .seconds(-600))
        #expect(offset.highest <= .milliseconds(-599_500))
    }

    @Test func aSteppedHostClockReplacesTheBound() throws {
        let clock = ServerClock()
        clock.observe(serverTime: t0.addingTimeInterval(-600), resolution: .seconds(1), sent: t0, received: t0)
        // NTP fixed the host: the service now reads what the host reads.
        let later = t0.addingTimeInterval(30)
        clock.observe(serverTime: later, resolution: .seconds(1), sent: later, received: later)
        let offset = try #require(clock.current)
        #expect(offset.lowest == .zero)
        #expect(offset.highest == .seconds(1))
    }

    @Test func answersWithoutATimeTeachNothing() {
        let clock = ServerClock()
        clock.observe(dateHeader: nil, sent: t0, received: t0)
        clock.observe(dateHeader: "yesterday", sent: t0, received: t0)
        clock.observe(serverTime: t0, resolution: .seconds(1), sent: t0, received: t0.addingTimeInterval(-1))
        #expect(clock.current == nil)
    }
}
