import Foundation

/// A project-scoped IAM token and when it stops working. Its text never appears in descriptions.
public struct IAMToken: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    /// The `X-Subject-Token` value, sent as `X-Auth-Token`.
    public let value: String
    public let expiresAt: Date

    public init(value: String, expiresAt: Date) {
        self.value = value
        self.expiresAt = expiresAt
    }

    public var description: String {
        "IAMToken(<redacted \(value.utf8.count) bytes>, expires \(expiresAt))"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["value": "<redacted>", "expiresAt": expiresAt])
    }
}

/// Password credentials for `POST /v3/auth/tokens` (reference §5.1). The password is never printed.
public struct IAMPasswordCredentials: Sendable, CustomStringConvertible, CustomReflectable {
    /// The project the token is scoped to: ModelArts needs a project-level token.
    public enum ProjectScope: Sendable, Hashable {
        /// e.g. `cn-north-4`.
        case name(String)
        case id(String)
    }

    /// The account (domain) name.
    public var domain: String
    public var user: String
    public var password: String
    public var project: ProjectScope

    public init(domain: String, user: String, password: String, project: ProjectScope) {
        self.domain = domain
        self.user = user
        self.password = password
        self.project = project
    }

    public var description: String {
        "IAMPasswordCredentials(domain: \(domain), user: \(user), password: <redacted>, project: \(project))"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["domain": domain, "user": user, "password": "<redacted>", "project": project])
    }
}
