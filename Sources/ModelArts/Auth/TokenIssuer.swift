import AsyncHTTPClient
import Foundation
import Logging
import NIOHTTP1

/// The HTTP side of token issue: one `POST /v3/auth/tokens?nocatalog=true` through the shared limiter.
struct TokenIssuer: Sendable {
    let configuration: IAMTokenProvider.Configuration
    let limiter: OutgoingCallLimiter?
    let logger: Logger
    let httpClient: HTTPClient
    let transport: HTTPTransport

    init(configuration: IAMTokenProvider.Configuration, limiter: OutgoingCallLimiter?, logger: Logger) {
        self.configuration = configuration
        self.limiter = limiter
        self.logger = logger
        self.httpClient = HTTPClientFactory.make(.init(
            connectTimeout: configuration.connectTimeout, caFile: configuration.caFile, proxy: configuration.proxy))
        self.transport = HTTPTransport(httpClient: httpClient, requestTimeout: configuration.requestTimeout,
                                       maxResponseBytes: 4 * 1024 * 1024)
    }

    /// The request, built without sending it (unit-tested).
    static func request(_ configuration: IAMTokenProvider.Configuration) -> HTTPTransport.Request {
        let base = configuration.endpoint.absoluteString.hasSuffix("/")
            ? String(configuration.endpoint.absoluteString.dropLast()) : configuration.endpoint.absoluteString
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json;charset=utf8")
        return HTTPTransport.Request(
            method: .POST, url: base + "/v3/auth/tokens?nocatalog=true", headers: headers,
            body: IAMTokenRequest.body(configuration.credentials))
    }

    func issue() async -> Result<IAMToken, ModelArtsError> {
        let secrets = [configuration.credentials.password]
        var permit: OutgoingCallLimiter.Permit?
        if let limiter {
            do {
                permit = try await limiter.acquire()
            } catch {
                return .failure(.transportNotSent(operation: .issueToken, message: "cancelled while waiting for a call slot"))
            }
        }
        let result: Result<IAMToken, ModelArtsError>
        do {
            let response = try await transport.execute(Self.request(configuration), operation: .issueToken, logger: logger)
            result = .success(try ResponseInterpreter.interpret(
                response, operation: .issueToken, decodeResponse: IAMTokenRequest.token(from:)))
        } catch {
            // Issuing is the refresh: a 401 here means wrong credentials, not a stale token.
            result = .failure(error.redacting(secrets).afterTokenRefresh())
        }
        if let limiter, let permit { await limiter.release(permit) }
        switch result {
        case .success(let token): logger.info("IAM token issued", metadata: ["expires_at": "\(token.expiresAt)"])
        case .failure(let error): logger.notice("IAM token request failed", metadata: ["error": "\(error)"])
        }
        return result
    }
}
