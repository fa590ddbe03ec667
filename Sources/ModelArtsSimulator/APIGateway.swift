import Foundation
import Hummingbird

/// What stands in front of every API call, in the order the real gateway applies it: count the call,
/// check credentials, throttle per caller, then inject a fault if one is due.
struct APIGateway: Sendable {
    let cloud: SimulatedCloud
    let authenticator: RequestAuthenticator
    let rateLimit: Int?

    /// A call that passed the gateway; `lostResponse` says the answer must be lost after the work is done.
    struct Admission: Sendable {
        var caller: Caller
        var lostResponse: FaultRule?
    }

    /// Lets a call through, or throws the gateway's answer (or drops the connection) instead.
    func admit(_ route: APIRoute, _ request: Request, body: ByteBuffer, context: SimulatorRequestContext) async throws -> Admission {
        await cloud.record(route)
        var caller = Caller.anonymous
        if route != .token {
            caller = try await authenticate(request, body: body)
            if let rateLimit, !(await cloud.admit(caller: caller.throttleKey, limit: rateLimit)) {
                await cloud.recordThrottled()
                throw ServiceError.throttled(limit: rateLimit)
            }
        }
        guard let fault = await cloud.drawFault(for: route) else {
            return Admission(caller: caller)
        }
        switch fault.kind {
        case .error:
            throw ServiceError.injected(fault, route: route, throttleLimit: rateLimit ?? 200)
        case .reset:
            await ConnectionFault.reset(context.channel)
            throw ConnectionFault.Dropped()
        case .delay:
            // A backend does not notice that the client gave up: the work happens even if this task is
            // cancelled when the connection closes.
            try? await Task.sleep(for: .milliseconds(fault.delayMilliseconds ?? 0))
            return Admission(caller: caller)
        case .lostResponse:
            return Admission(caller: caller, lostResponse: fault)
        case .respond:
            throw CannedResponse(status: fault.status ?? 200, body: fault.body ?? "")
        }
    }

    /// Loses the answer of a call whose work is done: drops the connection, or answers with the fault's
    /// gateway error (504 APIGW.0201 "Backend timeout" is what a real gateway sends).
    func loseResponse(_ fault: FaultRule, route: APIRoute, context: SimulatorRequestContext) async throws -> Never {
        if fault.status != nil {
            throw ServiceError.injected(fault, route: route, throttleLimit: rateLimit ?? 200)
        }
        await ConnectionFault.drop(context.channel)
        throw ConnectionFault.Dropped()
    }

    private func authenticate(_ request: Request, body: ByteBuffer) async throws(ServiceError) -> Caller {
        let headers = request.headers
        let authority = request.head.authority
        let input = RequestAuthenticator.Input(
            method: request.method.rawValue,
            path: request.uri.path,
            rawQuery: request.uri.query ?? "",
            header: { name in
                if name == "host" { return authority }
                guard let fieldName = HTTPFieldName(name) else { return nil }
                return headers[fieldName]
            },
            body: body,
            now: Date(timeIntervalSince1970: TimeInterval(cloud.clock()) / 1000)
        )
        let cloud = self.cloud
        do throws(ServiceError) {
            return try await authenticator.authenticate(input) { token in await cloud.checkToken(token) }
        } catch {
            await cloud.recordRejectedAuth()
            throw error
        }
    }
}
