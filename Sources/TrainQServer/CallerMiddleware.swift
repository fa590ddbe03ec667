import Hummingbird
import Logging
import NIOCore
import TrainQAPI

/// Identifies the caller before any route runs and refuses those the access policy does not know.
/// How the caller is identified is injected: the daemon reads the socket's peer credentials; router
/// tests, which have no socket, name a caller directly.
struct CallerMiddleware: RouterMiddleware {
    typealias Context = TrainQRequestContext

    let identify: @Sendable (Request, TrainQRequestContext) async -> Caller?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.caller = try Self.admit(await identify(request, context), path: request.uri.path, logger: context.logger)
        return try await next(request, context)
    }

    /// The one rule for who may use the socket at all, for the router and the intake handler alike.
    static func admit(_ caller: Caller?, path: String, logger: Logger) throws(APIError) -> Caller {
        guard let caller else {
            logger.warning("refused a request without peer credentials", metadata: ["path": "\(path)"])
            throw APIError(.forbidden, .unauthenticated, "the caller could not be identified (peer credentials unavailable)")
        }
        guard caller.role != .none else {
            logger.warning(
                "refused a caller the access policy does not allow",
                metadata: ["uid": "\(caller.uid)", "pid": "\(caller.pid)", "user": "\(caller.userName)", "path": "\(path)"]
            )
            throw APIError.forbidden("user '\(caller.userName)' (uid \(caller.uid)) may not use trainq; ask an admin to add you to access.allowed_users or a group in access.allowed_groups")
        }
        return caller
    }
}

/// The daemon's way of knowing the caller: the kernel's word on who is connected and in which groups
/// (`SO_PEERCRED`, `SO_PEERGROUPS`), named through NSS and given a role by the access policy.
struct PeerCallerIdentification: Sendable {
    let policy: AccessPolicy
    let directory: UserDirectory

    func caller(on channel: (any Channel)?) async -> Caller? {
        guard let channel, let credentials = await PeerCredentials.of(channel) else { return nil }
        return caller(credentials, directory.identity(uid: credentials.uid, gid: credentials.gid, groups: credentials.groups))
    }

    /// The caller when everything about it is already known (the connection's credentials and a fresh
    /// cached identity), without waiting for anything; nil sends the request the asynchronous way.
    func knownCaller(on channel: any Channel) -> Caller? {
        // Only Unix socket connections have recorded credentials.
        guard let credentials = ConnectionCredentials.credentials(of: channel),
              let identity = directory.cachedIdentity(uid: credentials.uid, gid: credentials.gid, groups: credentials.groups)
        else { return nil }
        return caller(credentials, identity)
    }

    private func caller(_ credentials: PeerCredentials, _ identity: UserDirectory.Identity) -> Caller {
        let role = policy.role(uid: credentials.uid, userName: identity.userName, groups: identity.groupNames)
        return Caller(uid: credentials.uid, gid: credentials.gid, pid: credentials.pid, userName: identity.userName, role: role)
    }

    var middleware: CallerMiddleware {
        CallerMiddleware { _, context in await caller(on: context.channel) }
    }
}
