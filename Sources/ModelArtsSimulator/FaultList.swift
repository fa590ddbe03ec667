/// The active fault rules, in order; the first rule that applies and fires wins.
///
/// A value type so the decision ("does this call get a fault, and which?") is testable without a server.
struct FaultList: Sendable {
    private(set) var rules: [FaultRule]

    init(_ rules: [FaultRule] = []) {
        self.rules = rules
    }

    /// Picks the fault for one call and spends one use of a counted rule.
    /// - Parameter roll: returns a number in `0..<1`; injected so tests can be deterministic.
    mutating func draw(for route: APIRoute, roll: () -> Double = { Double.random(in: 0..<1) }) -> FaultRule? {
        for index in rules.indices where rules[index].applies(to: route) {
            let rule = rules[index]
            if let remaining = rule.count, remaining <= 0 { continue }
            guard rule.probability >= 1 || roll() < rule.probability else { continue }
            if let remaining = rule.count {
                rules[index].count = remaining - 1
            }
            return rule
        }
        return nil
    }
}
