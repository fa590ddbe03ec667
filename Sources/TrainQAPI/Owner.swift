/// The local user who submitted a submission, from the socket's peer credentials.
public struct Owner: Sendable, Codable, Hashable {
    public var uid: UInt32
    public var user: String

    public init(uid: UInt32, user: String) {
        self.uid = uid
        self.user = user
    }
}
