/// A configuration problem that stops the daemon at start; the message names the key and what is wrong.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public var key: String
    public var problem: String

    public init(key: String, problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String { "configuration key '\(key)': \(problem)" }
}
