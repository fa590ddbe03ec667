import Hummingbird
import Logging

/// Gives every answer an `X-Request-Id` (the gateway always sends one, and clients report it) and turns
/// every error, including "no such route", into the service's error shapes.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = SimulatorRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as ServiceError {
            response = error.response(requestID: context.requestID)
        } catch let canned as CannedResponse {
            response = canned.response
        } catch is ConnectionFault.Dropped {
            // The connection is gone; this answer is never written.
            response = Response(status: .internalServerError)
        } catch let error as HTTPError where error.status == .notFound {
            response = ServiceError.routeNotFound.response(requestID: context.requestID)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            response = ServiceError.entityTooLarge.response(requestID: context.requestID)
        } catch {
            context.logger.error("unexpected error: \(error)")
            response = ServiceError.internalError.response(requestID: context.requestID)
        }
        response.headers[.requestID] = context.requestID
        return response
    }
}
