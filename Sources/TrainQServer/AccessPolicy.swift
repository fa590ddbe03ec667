/// Who may use the socket API (DESIGN §4): root, the daemon's own user and the configured admin
/// users and groups may do anything; allowed users and groups may submit, read, and act on their own
/// submissions; everyone else is refused. The one place this rule lives.
public struct AccessPolicy: Sendable {
    public var adminUsers: Set<String>
    public var adminGroups: Set<String>
    public var allowedUsers: Set<String>
    public var allowedGroups: Set<String>
    /// The uid the daemon runs as: it owns the database anyway, so it is always an admin.
    public var daemonUID: UInt32

    public init(configuration: DaemonConfiguration.Access, daemonUID: UInt32) {
        self.adminUsers = Set(configuration.adminUsers)
        self.adminGroups = Set(configuration.adminGroups)
        self.allowedUsers = Set(configuration.allowedUsers)
        self.allowedGroups = Set(configuration.allowedGroups)
        self.daemonUID = daemonUID
    }

    /// `groups` holds the names of the primary and every supplementary group of the user.
    public func role(uid: UInt32, userName: String, groups: Set<String>) -> Caller.Role {
        if uid == 0 || uid == daemonUID || adminUsers.contains(userName) || !adminGroups.isDisjoint(with: groups) {
            return .admin
        }
        if allowedUsers.contains(userName) || !allowedGroups.isDisjoint(with: groups) {
            return .member
        }
        return .none
    }
}
