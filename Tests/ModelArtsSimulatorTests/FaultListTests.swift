import Testing
@testable import ModelArtsSimulator

@Suite struct FaultListTests {
    /// Draws once per route given, in order.
    static func draws(_ list: inout FaultList, _ routes: [APIRoute], roll: Double = 0) -> [FaultRule?] {
        routes.map { list.draw(for: $0, roll: { roll }) }
    }

    @Test func aCountedRuleFiresThatManyTimesThenIsSpent() {
        var list = FaultList([FaultRule(target: .create, kind: .error, status: 503, count: 2)])
        let fired = Self.draws(&list, [.create, .create, .create]).map { $0 != nil }
        #expect(fired == [true, true, false])
    }

    @Test func aRuleWithoutCountFiresForever() {
        var list = FaultList([FaultRule(target: .show, kind: .delay, delayMilliseconds: 1)])
        let fired = Self.draws(&list, Array(repeating: .show, count: 50)).map { $0 != nil }
        #expect(fired == Array(repeating: true, count: 50))
    }

    @Test func rulesOnlyHitTheirRoute() {
        var list = FaultList([FaultRule(target: .stop, kind: .reset)])
        let kinds = Self.draws(&list, [.create, .list, .stop]).map { $0?.kind }
        #expect(kinds == [nil, nil, .reset])
    }

    @Test func anyCoversModelArtsRoutesButNotTheIAMRoute() {
        var list = FaultList([FaultRule(target: .any, kind: .error, status: 500)])
        let routes = APIRoute.allCases.filter { $0 != .token }
        #expect(Self.draws(&list, routes).allSatisfy { $0 != nil })
        #expect(Self.draws(&list, [.token]) == [nil])
    }

    @Test func probabilityIsRolledAndAMissDoesNotSpendTheCount() {
        var list = FaultList([FaultRule(target: .create, kind: .error, count: 1, probability: 0.5)])
        let miss = Self.draws(&list, [.create], roll: 0.9)
        let hit = Self.draws(&list, [.create], roll: 0.1)
        let spent = Self.draws(&list, [.create], roll: 0.1)
        #expect(miss == [nil])
        #expect(hit.first??.kind == .error)
        #expect(spent == [nil])
    }

    @Test func theFirstMatchingLiveRuleWins() {
        var list = FaultList([
            FaultRule(target: .create, kind: .error, status: 429, count: 1),
            FaultRule(target: .any, kind: .error, status: 503),
        ])
        #expect(Self.draws(&list, [.create, .create]).map { $0?.status } == [429, 503])
    }
}
