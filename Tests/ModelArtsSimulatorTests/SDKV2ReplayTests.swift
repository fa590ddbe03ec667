import Foundation
import JSONTree
import NIOHTTP1
import Testing
@testable import ModelArtsSimulator

/// Replays the v2 requests the official SDK signed (`Fixtures/sdk-v2-requests.json`) byte for byte
/// against a simulator holding the same AK/SK, on a clock pinned to their `X-Sdk-Date`.
@Suite struct SDKV2ReplayTests {
    /// Fields a tracker reads from every job answer, beyond what the SDK's models mark as always set.
    static let trackerFields = [
        "kind", "metadata.id", "metadata.name", "metadata.create_time", "status.phase", "status.secondary_phase",
        "status.duration", "status.start_time", "status.tasks",
    ]

    static func configuration(_ fixture: SDKV2Fixture) -> SimulatorConfiguration {
        var seeded = fixture.createBody.objectValue ?? [:]
        seeded["metadata"] = .object(["name": .string("trainq-sdk-seeded")])
        return SimulatorConfiguration(
            accessKeys: [fixture.accessKey: fixture.secretKey],
            scenario: Scenario(trainingJobs: [.init(id: fixture.fixtureJobID, job: .object(seeded), phase: .pending)]))
    }

    /// The recorded request as it was: every header but the transport's own (`Content-Length`, `Connection`),
    /// which the HTTP client writes itself.
    static func replay(_ request: SDKV2Fixture.Recorded, on http: TestHTTP) async throws -> TestHTTP.Reply {
        let headers = request.headers.filter { !["content-length", "connection"].contains($0.0.lowercased()) }
        return try await http.send(
            HTTPMethod(rawValue: request.method), request.path, headers: headers, body: request.body.isEmpty ? nil : request.body)
    }

    @Test func theFixtureRecordsTheSDKAndItsCredentials() throws {
        let fixture = try SDKV2Fixture.load()
        #expect(fixture.document["packages"]?["huaweicloudsdkmodelarts"]?.stringValue?.isEmpty == false)
        #expect(fixture.document["project_id"] == .string(TestHTTP.project))
        #expect(fixture.requests.map(\.name) == ["create", "show", "search", "stop"])
        for request in fixture.requests {
            let headers = Dictionary(request.headers, uniquingKeysWith: { first, _ in first })
            #expect(headers["X-Sdk-Date"] == fixture.xSdkDate)
            #expect(headers["Authorization"]?.hasPrefix("SDK-HMAC-SHA256 Access=\(fixture.accessKey), SignedHeaders=") == true)
        }
        // The create body alone, as examples/v2-job.json would hold it, is the body the SDK sent.
        #expect(try JSONValue.parse(Data(fixture.requests[0].body.utf8)) == fixture.createBody)
        #expect(fixture.createBody["metadata"]?["name"] == .string(fixture.jobName))
    }

    @Test func everyRecordedRequestIsAcceptedAndAnsweredWithWhatTheSDKReads() async throws {
        let fixture = try SDKV2Fixture.load()
        let signedAt = try #require(SDKV2Fixture.epochMilliseconds(ofSDKDate: fixture.xSdkDate))
        let clock = ClockBox(signedAt)
        try await ModelArtsSimulator.withRunning(Self.configuration(fixture), clock: clock.read) { _, port in
            let http = TestHTTP(port: port)
            var createdID: String?
            for request in fixture.requests {
                let reply = try await Self.replay(request, on: http)
                #expect(reply.status == request.expectedStatus, "\(request.name): \(reply.bodyText)")
                let answer = try #require(reply.json, "\(request.name)")
                let required = fixture.requiredResponseFields[request.name] ?? []
                #expect(!required.isEmpty)
                #expect(SDKV2Fixture.missingFields(required, in: answer) == [], "\(request.name)")
                switch request.name {
                case "create":
                    createdID = reply.jobID
                    #expect(reply.json?["metadata"]?["name"] == .string(fixture.jobName))
                    #expect(SDKV2Fixture.missingFields(Self.trackerFields, in: answer) == [])
                case "search":
                    let items = answer["items"]?.arrayValue ?? []
                    #expect(items.compactMap { $0["metadata"]?["id"]?.stringValue } == [createdID].compactMap { $0 })
                    for item in items { #expect(SDKV2Fixture.missingFields(Self.trackerFields, in: item) == []) }
                case "show":
                    #expect(reply.jobID == fixture.fixtureJobID)
                    #expect(reply.phase == "Pending")
                    #expect(SDKV2Fixture.missingFields(Self.trackerFields, in: answer) == [])
                default:
                    #expect(reply.jobID == fixture.fixtureJobID)
                    #expect(reply.phase == "Terminating")
                    #expect(SDKV2Fixture.missingFields(Self.trackerFields, in: answer) == [])
                }
            }
            let ledger = try await http.ledger()
            #expect(ledger["requests"]?["rejected_auth"] == .integer(0))
            #expect(ledger["training_jobs"]?.arrayValue?.first?["body"] == fixture.createBody)
        }
    }

    @Test func aTamperedRecordedBodyIsRefused() async throws {
        let fixture = try SDKV2Fixture.load()
        let clock = ClockBox(try #require(SDKV2Fixture.epochMilliseconds(ofSDKDate: fixture.xSdkDate)))
        try await ModelArtsSimulator.withRunning(Self.configuration(fixture), clock: clock.read) { _, port in
            var create = fixture.requests[0]
            create.body = create.body.replacingOccurrences(of: fixture.jobName, with: fixture.jobName + "-x")
            let reply = try await Self.replay(create, on: TestHTTP(port: port))
            #expect(reply.status == 401)
            #expect(reply.errorCode == "APIGW.0301")
        }
    }

    @Test func theCreateBodyAloneIsAcceptedAsAJob() async throws {
        let fixture = try SDKV2Fixture.load()
        try await ModelArtsSimulator.withRunning { _, port in
            let reply = try await TestHTTP(port: port).send(
                .POST, TestHTTP.trainingJobsPath, body: String(decoding: fixture.createBody.canonicalData(), as: UTF8.self))
            #expect(reply.status == 201)
        }
    }

    @Test func missingFieldsIgnoresAbsentParentsButNotAbsentLeaves() throws {
        let answer = try JSONValue.parse(Data(#"{"a":{"list":[{"x":1},{"y":2}]},"b":null}"#.utf8))
        #expect(SDKV2Fixture.missingFields(["a.list.x"], in: answer) == ["a.list.x"])
        #expect(SDKV2Fixture.missingFields(["c.d", "b.e", "a.list"], in: answer) == [])
        #expect(SDKV2Fixture.missingFields(["c", "b"], in: answer) == ["c", "b"])
    }
}
