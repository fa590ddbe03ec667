import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import TrainQAPI

/// Turns every failure into the one error envelope, so scripts never see an empty 404 or a bare 500:
/// unknown paths (404), known paths with the wrong method (405 with `Allow`), bodies over the limit (413).
struct ErrorEnvelopeMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPParserError {
            // The body ended before its length, or turned out not to be HTTP, while it was being read.
            return try APIError.badRequest("the request is not valid HTTP/1.1 (\(error))")
                .response(from: request, context: context)
        } catch is NIOTooManyBytesError {
            return try APIError.bodyTooLarge.response(from: request, context: context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = routes.methods(forPath: request.uri.path)
            guard !allowed.isEmpty else {
                return try APIError.notFound("no such endpoint: \(request.method) \(request.uri.path)")
                    .response(from: request, context: context)
            }
            var methodError = APIError(
                .methodNotAllowed, .methodNotAllowed,
                "\(request.method) is not allowed on \(request.uri.path); use \(allowed.map(\.rawValue).joined(separator: ", "))"
            )
            methodError.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
            return try methodError.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            let kind: ErrorKind = error.status.code < 500 ? .badRequest : .internalError
            return try APIError(error.status, kind, "\(error.status.reasonPhrase)").response(from: request, context: context)
        } catch {
            context.logger.error("request failed: \(error)", metadata: ["path": "\(request.uri.path)"])
            return try APIError(.internalServerError, .internalError, "internal error; see the daemon's log")
                .response(from: request, context: context)
        }
    }
}

/// The paths of the socket API and their methods, for telling 404 from 405.
struct RouteTable: Sendable {
    private var entries: [(segments: [String], methods: [HTTPRequest.Method])] = []

    mutating func add(_ path: String, _ methods: [HTTPRequest.Method]) {
        entries.append((path.split(separator: "/").map(String.init), methods))
    }

    func methods(forPath path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/").map(String.init)
        for entry in entries where entry.segments.count == segments.count {
            let matches = zip(entry.segments, segments).allSatisfy { pattern, actual in
                pattern.hasPrefix("{") || pattern == actual
            }
            if matches { return entry.methods }
        }
        return []
    }
}
