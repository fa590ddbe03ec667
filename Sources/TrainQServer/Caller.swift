import TrainQAPI

/// The local user behind a request, with what they may do.
public struct Caller: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable {
        /// May act on every submission.
        case admin
        /// May submit, read, and cancel or retry their own submissions.
        case member
        /// May do nothing (403).
        case none
    }

    public var uid: UInt32
    public var gid: UInt32
    public var pid: Int32
    public var userName: String
    public var role: Role

    public init(uid: UInt32, gid: UInt32, pid: Int32, userName: String, role: Role) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.userName = userName
        self.role = role
    }

    public var owner: Owner { Owner(uid: uid, user: userName) }

    /// Whether this caller may change (cancel, retry, resolve) a submission owned by `owner`.
    public func mayAct(on owner: Owner) -> Bool {
        role == .admin || (role == .member && owner.uid == uid)
    }
}
