/// A scenario, fault list or control request that cannot be used, with the field at fault.
public struct ScenarioError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case notJSON
        case invalidField
        case unreadableFile
    }

    private let code: Code
    /// Where the problem is, e.g. `faults[0].kind`; empty for the whole document.
    public let field: String
    public let problem: String

    private init(code: Code, field: String, problem: String) {
        self.code = code
        self.field = field
        self.problem = problem
    }

    public static func notJSON(_ problem: String) -> Self {
        .init(code: .notJSON, field: "", problem: problem)
    }

    public static func invalidField(_ field: String, _ problem: String) -> Self {
        .init(code: .invalidField, field: field, problem: problem)
    }

    public static func unreadableFile(_ path: String, _ problem: String) -> Self {
        .init(code: .unreadableFile, field: "", problem: "cannot read \(path): \(problem)")
    }

    public var description: String {
        field.isEmpty ? problem : "\(field): \(problem)"
    }
}
