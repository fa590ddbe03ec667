import Foundation

/// A ModelArts version status as the socket API shows it: the numeric code, its name, and when
/// trainq saw it.
public struct RemoteStatus: Sendable, Codable, Hashable {
    public var code: Int
    public var name: String
    public var at: Date?

    public init(code: Int, name: String, at: Date? = nil) {
        self.code = code
        self.name = name
        self.at = at
    }
}
