import Foundation
import JSONTree
import ModelArts
import Testing
@testable import ModelArtsSimulator

/// Runs our `ModelArtsClient` against a simulator on loopback.
enum ClientTestSupport {
    static let accessKey = "AKCLIENTTEST000000001"
    static let secretKey = "SKclientTestSecret00000000000000000001"
    static let project = TestHTTP.project
    static let iamUser = IAMUser(domain: "acme", name: "trainer", password: "s3cret")

    static func endpoint(_ port: Int) throws -> URL {
        try #require(URL(string: "http://127.0.0.1:\(port)"))
    }

    static func clientConfiguration(port: Int, authentication: ModelArtsAuthentication, requestTimeout: Duration) throws -> ModelArtsClientConfiguration {
        ModelArtsClientConfiguration(
            endpoint: try endpoint(port), projectID: project, authentication: authentication,
            connectTimeout: .seconds(2), requestTimeout: requestTimeout, rate: 1_000, burst: 1_000, concurrency: 16)
    }

    /// A simulator that wants AK/SK, and a client that signs with them.
    static func withSignedClient<Result: Sendable>(
        _ configuration: SimulatorConfiguration = .init(),
        requestTimeout: Duration = .seconds(10),
        clock: ClockBox? = nil,
        _ body: (ModelArtsClient, TestHTTP) async throws -> Result
    ) async throws -> Result {
        var configuration = configuration
        configuration.accessKeys = [accessKey: secretKey]
        return try await ModelArtsSimulator.withRunning(configuration, clock: clock?.read ?? SimulatedCloud.wallClock) { _, port in
            let client = try ModelArtsClient(configuration: clientConfiguration(
                port: port, authentication: .accessKey(AKSKSigner(accessKey: accessKey, secretKey: secretKey)),
                requestTimeout: requestTimeout))
            do {
                let result = try await body(client, TestHTTP(port: port))
                try await client.shutdown()
                return result
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    /// A simulator with an IAM user, and a client that authenticates with tokens from it.
    static func withTokenClient<Result: Sendable>(
        _ configuration: SimulatorConfiguration = .init(),
        refreshAhead: Duration = .seconds(3600),
        _ body: (ModelArtsClient, IAMTokenProvider, TestHTTP) async throws -> Result
    ) async throws -> Result {
        var configuration = configuration
        configuration.iamUser = iamUser
        return try await ModelArtsSimulator.withRunning(configuration) { _, port in
            let provider = IAMTokenProvider(configuration: .init(
                endpoint: try endpoint(port),
                credentials: IAMPasswordCredentials(
                    domain: iamUser.domain, user: iamUser.name, password: iamUser.password, project: .name("cn-north-4")),
                refreshAhead: refreshAhead, connectTimeout: .seconds(2), requestTimeout: .seconds(5)))
            let client = try ModelArtsClient(configuration: clientConfiguration(
                port: port, authentication: .token(provider), requestTimeout: .seconds(5)))
            do {
                let result = try await body(client, provider, TestHTTP(port: port))
                try await client.shutdown()
                await provider.shutdown()
                return result
            } catch {
                try? await client.shutdown()
                await provider.shutdown()
                throw error
            }
        }
    }

    /// The seed's sample request, validated by the client's own rules.
    static func sampleRequest(preVersionID: Int64 = 20) throws -> CreateVersionRequest {
        let document = try JSONValue.parse(Data(TestHTTP.sampleBody(preVersionID: preVersionID).utf8))
        return try CreateVersionRequest.validate(document).get()
    }

    /// The error a call failed with, or nil when it succeeded.
    static func failure<Value>(_ call: () async throws(ModelArtsError) -> Value) async -> ModelArtsError? {
        do {
            _ = try await call()
            return nil
        } catch {
            return error
        }
    }
}
