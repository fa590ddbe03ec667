import Testing
@testable import ModelArtsSimulator

@Suite struct FaultListTests {
    @Test func aCountedRuleFiresThatManyTimesThenIsSpent() {
        var list = FaultList([FaultRule(target: .create, kind: .error, status: 503, count: 2)])
        #expect(list.draw(for: .create) != nil)
        #expect(list.draw(for: .create) != nil)
        #expect(list.draw(for: .create) == nil)
    }

    @Test func aRuleWithoutCountFiresForever() {
        var list = FaultList([FaultRule(target: .show, kind: .delay, delayMilliseconds: 1)])
        for _ in 0..<50 { #expect(list.draw(for: .show) != nil) }
    }

    @Test func rulesOnlyHitTheirRoute() {
        var list = FaultList([FaultRule(target: .stop, kind: .reset)])
        #expect(list.draw(for: .create) == nil)
        #expect(list.draw(for: .list) == nil)
        #expect(list.draw(for: .stop)?.kind == .reset)
    }

    @Test func anyCoversModelArtsRoutesButNotTheIAMRoute() {
        var list = FaultList([FaultRule(target: .any, kind: .error, status: 500)])
        for route in APIRoute.allCases where route != .token {
            #expect(list.draw(for: route) != nil)
        }
        #expect(list.draw(for: .token) == nil)
    }

    @Test func probabilityIsRolledAndAMissDoesNotSpendTheCount() {
        var list = FaultList([FaultRule(target: .create, kind: .error, count: 1, probability: 0.5)])
        #expect(list.draw(for: .create, roll: { 0.9 }) == nil)
        #expect(list.draw(for: .create, roll: { 0.1 }) != nil)
        #expect(list.draw(for: .create, roll: { 0.1 }) == nil)
    }

    @Test func theFirstMatchingLiveRuleWins() {
        var list = FaultList([
            FaultRule(target: .create, kind: .error, status: 429, count: 1),
            FaultRule(target: .any, kind: .error, status: 503),
        ])
        #expect(list.draw(for: .create)?.status == 429)
        #expect(list.draw(for: .create)?.status == 503)
    }
}
