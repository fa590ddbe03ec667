import Hummingbird
import Logging
import TrainQAPI

/// Identifies the caller before any route runs and refuses those the access policy does not know.
/// How the caller is identified is injected: the daemon reads the socket's peer credentials; router
/// tests, which have no socket, name a caller directly.
struct CallerMiddleware: RouterMiddleware {
    typealias Context = TrainQRequestContext

    let identify: @Sendable (Request, TrainQRequestContext) async -> Caller?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let caller = await identify(request, context) else {
            context.logger.warning("refused a request without peer credentials", metadata: ["path": "\(request.uri.path)"])
            throw APIError(.forbidden, .unauthenticated, "the caller could not be identified (peer credentials unavailable)")
        }
        guard caller.role != .none else {
            context.logger.warning(
                "refused a caller the access policy does not allow",
                metadata: ["uid": "\(caller.uid)", "pid": "\(caller.pid)", "user": "\(caller.userName)", "path": "\(request.uri.path)"]
            )
            throw APIError.forbidden("user '\(caller.userName)' (uid \(caller.uid)) may not use trainq; ask an admin to add you to access.allowed_users or a group in access.allowed_groups")
        }
        var context = context
        context.caller = caller
        return try await next(request, context)
    }
}

extension CallerMiddleware {
    /// The daemon's way: the kernel's word on who is connected and in which groups (`SO_PEERCRED`,
    /// `SO_PEERGROUPS`), named through NSS.
    static func peerCredentials(policy: AccessPolicy, directory: UserDirectory) -> CallerMiddleware {
        CallerMiddleware { _, context in
            guard let channel = context.channel, let credentials = await PeerCredentials.of(channel) else { return nil }
            let identity = directory.identity(uid: credentials.uid, gid: credentials.gid, groups: credentials.groups)
            let role = policy.role(uid: credentials.uid, userName: identity.userName, groups: identity.groupNames)
            return Caller(uid: credentials.uid, gid: credentials.gid, pid: credentials.pid, userName: identity.userName, role: role)
        }
    }
}
