import Foundation
import JSONTree
import ModelArts
import Testing
@testable import ModelArtsSimulator

/// The v2 client against the simulator, with the body the official SDK built.
@Suite struct TrainingJobClientTests {
    @Test func theSDKBodyValidatesAndACopyOfItsShowAnswerIsTheSameBody() async throws {
        let fixture = try SDKV2Fixture.load()
        let request = try TrainingJobRequest.validate(fixture.createBody).get()
        #expect(request.baseName == fixture.jobName)
        try await ClientTestSupport.withSignedClient { client, _ in
            let created = try await client.createTrainingJob(body: request.wireBody(name: "sdk-run-1"))
            #expect(created.name == "sdk-run-1")
            let shown = try await client.showTrainingJob(created.id)
            #expect(shown.id == created.id)
            #expect(shown.phase != nil)
            let copy = try TrainingJobCopy.body(copying: .object(shown.raw), overrides: [], name: "sdk-run-1")
            #expect(copy == request.wireBody(name: "sdk-run-1"))
            let found = try await client.trainingJobs(namedExactly: "sdk-run-1")
            #expect(found.map(\.id) == [created.id])
            #expect(try await client.trainingJobs(namedExactly: "sdk-run").isEmpty)
        }
    }
}
