import Foundation

/// A remote status as the socket API shows it: a v1 version's numeric code and its name, or a v2
/// training job's phase (which has no code), and when trainq saw it.
public struct RemoteStatus: Sendable, Codable, Hashable {
    /// The v1 status code; nil for a v2 job, whose phase is its name.
    public var code: Int?
    public var name: String
    public var at: Date?

    public init(code: Int?, name: String, at: Date? = nil) {
        self.code = code
        self.name = name
        self.at = at
    }

    /// `RUNNING (8)` for a v1 version, `Running` for a v2 job: how people read it in a terminal.
    public var label: String {
        code.map { "\(name) (\($0))" } ?? name
    }
}
