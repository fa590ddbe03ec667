import Foundation
import JSONTree
import ModelArts
import ModelArtsSimulator
import Testing

/// Our `ModelArtsClient` against the simulator over real loopback HTTP: every endpoint, signed and with
/// tokens.
@Suite struct ClientEndpointTests {
    @Test func everyEndpointWorksWithSignedCalls() async throws {
        try await ClientTestSupport.withSignedClient { client, http in
            let created = try await client.createVersion(jobID: 10, request: ClientTestSupport.sampleRequest())
            #expect(created.versionID == 21)
            #expect(created.versionName == "V0002")
            #expect(created.jobID == 10)
            #expect(created.status?.code == 1)

            let detail = try await client.showVersion(jobID: 10, versionID: 21)
            #expect(detail.versionID == 21)
            #expect(detail.preVersionID == 20)
            #expect(detail.jobDesc == "This is a ModelArts job")
            #expect(!detail.status.isTerminal)

            let everything = try await client.listVersions(jobID: 10)
            #expect(everything.versionCount == 2)
            #expect(everything.versions.compactMap(\.versionID) == [21, 20])
            let firstPage = try await client.listVersions(jobID: 10, page: 1, perPage: 1)
            #expect(firstPage.versions.compactMap(\.versionID) == [21])
            #expect(try await client.listAllVersions(jobID: 10, perPage: 1).compactMap(\.versionID) == [21, 20])

            try await client.stopVersion(jobID: 10, versionID: 21)
            #expect(try await client.showVersion(jobID: 10, versionID: 21).status.code == 9)

            let jobs = try await client.listJobs(JobListQuery(perPage: 10, page: 1, sortBy: .jobName, order: .ascending, searchContent: "Test"))
            #expect(jobs.jobs.map(\.jobID) == [10])
            #expect(jobs.jobs.first?.versionID == 21)

            let requests = try await http.ledger()["requests"]
            #expect(requests?["create"] == .integer(1))
            #expect(requests?["rejected_auth"] == .integer(0))
        }
    }

    @Test func aVersionIsTrackedToCompletion() async throws {
        try await ClientTestSupport.withSignedClient(.init(timeScale: 300)) { client, _ in
            let created = try await client.createVersion(jobID: 10, request: ClientTestSupport.sampleRequest())
            var detail = try await client.showVersion(jobID: 10, versionID: created.versionID)
            for _ in 0..<500 where !detail.status.isTerminal {
                try await Task.sleep(for: .milliseconds(10))
                detail = try await client.showVersion(jobID: 10, versionID: created.versionID)
            }
            #expect(detail.status == .completed)
            #expect(detail.startTime != nil)
            #expect((detail.duration ?? 0) > 0)
        }
    }

    @Test func everyEndpointWorksWithTokens() async throws {
        try await ClientTestSupport.withTokenClient { client, provider, http in
            let created = try await client.createVersion(jobID: 10, request: ClientTestSupport.sampleRequest())
            #expect(try await client.showVersion(jobID: 10, versionID: created.versionID).versionID == created.versionID)
            #expect(try await client.listVersions(jobID: 10).versionCount == 2)
            try await client.stopVersion(jobID: 10, versionID: created.versionID)
            #expect(try await client.listJobs().jobs.count == 1)
            #expect(await provider.tokenRequestCount == 1)
            #expect(try await http.ledger()["requests"]?["token"] == .integer(1))
        }
    }

    @Test func twoConcurrentCallersShareOneTokenRequest() async throws {
        try await ClientTestSupport.withTokenClient { client, provider, http in
            async let first = client.showVersion(jobID: 10, versionID: 20)
            async let second = client.listVersions(jobID: 10)
            let (detail, list) = try await (first, second)
            #expect(detail.versionID == 20)
            #expect(list.versionCount == 1)
            #expect(await provider.tokenRequestCount == 1)
            #expect(try await http.ledger()["requests"]?["token"] == .integer(1))
        }
    }

    @Test func anExpiredTokenIsReplacedBeforeUse() async throws {
        // Tokens live 2 s and are replaced when less than 0.5 s is left.
        try await ClientTestSupport.withTokenClient(.init(tokenLifetime: .seconds(2)), refreshAhead: .milliseconds(500)) { client, provider, http in
            _ = try await client.showVersion(jobID: 10, versionID: 20)
            try await Task.sleep(for: .milliseconds(1_600))
            _ = try await client.showVersion(jobID: 10, versionID: 20)
            #expect(await provider.tokenRequestCount == 2)
            let requests = try await http.ledger()["requests"]
            #expect(requests?["token"] == .integer(2))
            #expect(requests?["rejected_auth"] == .integer(0))
        }
    }

    @Test func aTokenTheGatewayRefusesIsRefreshedOnceAndTheCallRepeated() async throws {
        try await ClientTestSupport.withTokenClient { client, provider, http in
            _ = try await client.showVersion(jobID: 10, versionID: 20)
            _ = try await http.setFaults(#"{"faults":[{"on":"show","kind":"error","status":401,"error_code":"APIGW.0307","count":1}]}"#)
            let detail = try await client.showVersion(jobID: 10, versionID: 20)
            #expect(detail.versionID == 20)
            #expect(await provider.tokenRequestCount == 2)
            #expect(try await http.ledger()["requests"]?["show"] == .integer(3))

            // Refused again after the refresh: the client gives up and says it is not going to heal.
            _ = try await http.setFaults(#"{"faults":[{"on":"show","kind":"error","status":401,"error_code":"APIGW.0307"}]}"#)
            let error = await ClientTestSupport.failure { () async throws(ModelArtsError) in try await client.showVersion(jobID: 10, versionID: 20) }
            #expect(error?.errorCode == "APIGW.0307")
            #expect(error?.errorClass == .permanent)
        }
    }

    @Test func aWrongPasswordIsAPermanentFailure() async throws {
        var configuration = SimulatorConfiguration()
        configuration.iamUser = IAMUser(domain: "acme", name: "trainer", password: "other")
        try await ModelArtsSimulator.withRunning(configuration) { _, port in
            let provider = IAMTokenProvider(configuration: .init(
                endpoint: try ClientTestSupport.endpoint(port),
                credentials: IAMPasswordCredentials(domain: "acme", user: "trainer", password: "s3cret", project: .name("cn-north-4"))))
            let error = await ClientTestSupport.failure { () async throws(ModelArtsError) in try await provider.token() }
            #expect(error?.httpStatus == 401)
            #expect(error?.errorClass == .permanent)
            #expect(!"\(String(describing: error))".contains("s3cret"))
            await provider.shutdown()
        }
    }
}
