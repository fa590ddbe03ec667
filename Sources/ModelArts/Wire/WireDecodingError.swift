/// A response that could not be understood. The call's outcome is then unknown to us even if the HTTP
/// status said success, so the client reports it as an undecodable response.
public struct WireDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var context: String
    public var problem: String

    public init(context: String, problem: String) {
        self.context = context
        self.problem = problem
    }

    public var description: String { "cannot decode \(context): \(problem)" }
}
