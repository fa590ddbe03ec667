/// Every rule a create-version request broke, each named by its field path
/// (`config.parameter[1].label`), so the caller can fix them all in one go.
public struct RequestValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Violation: Sendable, Hashable, CustomStringConvertible {
        /// Dotted path with array indices, e.g. `config.data_source[0].type`.
        public var field: String
        public var problem: String

        public init(field: String, problem: String) {
            self.field = field
            self.problem = problem
        }

        public var description: String { "\(field): \(problem)" }
    }

    public var violations: [Violation]

    public init(violations: [Violation]) {
        self.violations = violations
    }

    public var description: String {
        "invalid request: " + violations.map(\.description).joined(separator: "; ")
    }
}
