import Foundation
import HTTPTypes
import HummingbirdTesting
import JSONTree
import NIOCore
import NIOFoundationCompat
import Testing
import TrainQAPI
@testable import TrainQServer

/// `{"api": "v2", ...}` submissions over the socket API.
@Suite struct TrainingJobSocketAPITests {
    static let job = #"""
        {"kind": "job", "metadata": {"name": "retrain-a"},
         "algorithm": {"code_dir": "/b/app/", "boot_file": "/b/app/train.py", "engine": {"engine_name": "PyTorch", "engine_version": "2.1"}},
         "spec": {"resource": {"flavor_id": "modelarts.vm.cpu.2u"}}}
        """#
    static let sourceID = "6c1e3a8f-2b4d-4e7a-9f10-3d5b7c9e1a20"

    @Test func aJobIsStoredWithTheNameItWillBeCreatedUnderAndNoJobID() async throws {
        let fixture = try SocketAPIFixture()
        try await fixture.test { client in
            let response = try await client.call(.post, "/v1/submissions", body: #"{"api": "v2", "job": \#(Self.job)}"#)
            #expect(response.status == .accepted)
            let submission = try response.decode(SubmissionView.self)
            #expect(submission.api == .v2)
            let name = try #require(submission.trainingJobName)
            #expect(name == "retrain-a-" + submission.id.suffix(16).lowercased())
            #expect(submission.request["job"]?["kind"] == .string("job"))
            #expect(submission.request["job"]?["metadata"]?["name"] == .string("retrain-a"))
            let raw = try JSONValue.parse(Data(buffer: response.body))
            #expect(raw["job_id"] == .null)
            #expect(raw["api"] == .string("v2"))
            let listed = try await client.call(.get, "/v1/submissions")
            #expect(try listed.decode(SubmissionList.self).submissions.map(\.trainingJobName) == [name])
        }
    }

    @Test func aCopyKeepsItsOverridesAndNamesItselfAfterItsSource() async throws {
        let fixture = try SocketAPIFixture()
        try await fixture.test { client in
            let body = #"{"api": "v2", "from_job": "\#(Self.sourceID)", "overrides": {"algorithm.parameters.lr": 0.1, "spec.resource.node_count": 2}}"#
            let response = try await client.call(.post, "/v1/submissions", body: body)
            #expect(response.status == .accepted)
            let submission = try response.decode(SubmissionView.self)
            #expect(submission.fromJob == Self.sourceID)
            #expect(submission.trainingJobName?.hasPrefix("copy-6c1e3a8f-") == true)
            #expect(submission.request["overrides"] == .object(["algorithm.parameters.lr": .string("0.1"), "spec.resource.node_count": .integer(2)]))
            let named = #"{"api": "v2", "from_job": "\#(Self.sourceID)", "overrides": {"metadata.name": "nightly"}}"#
            #expect(try await client.call(.post, "/v1/submissions", body: named).decode(SubmissionView.self).trainingJobName?.hasPrefix("nightly-") == true)
        }
    }

    @Test func eachV2MistakeIsNamed() async throws {
        let fixture = try SocketAPIFixture()
        let cases: [(String, [String])] = [
            (#"{"api": "v3", "job_id": 10}"#, ["api"]),
            (#"{"api": 2}"#, ["api"]),
            (#"{"api": "v2"}"#, ["job"]),
            (#"{"api": "v2", "job_id": 10, "job": \#(Self.job)}"#, ["job_id"]),
            (#"{"api": "v2", "job": \#(Self.job), "from_job": "\#(Self.sourceID)"}"#, ["from_job"]),
            (#"{"api": "v2", "job": \#(Self.job), "overrides": {}}"#, ["overrides"]),
            (#"{"api": "v2", "from_job": "6c1e3a8f"}"#, ["from_job"]),
            (#"{"api": "v2", "from_job": "\#(Self.sourceID)", "overrides": {"spec..x": 1, "metadata.name": "a b"}}"#, ["overrides.metadata.name", "overrides.spec..x"]),
            (#"{"api": "v2", "from_job": "\#(Self.sourceID)", "overrides": [1]}"#, ["overrides"]),
            (#"{"api": "v2", "job": {"metadata": {"name": "x"}, "algorithm": {"id": "a"}, "spec": {"resource": {}}}}"#, ["job.spec.resource"]),
        ]
        try await fixture.test { client in
            for (body, fields) in cases {
                let response = try await client.call(.post, "/v1/submissions", body: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.envelope?.error.kind == .validationFailed, "\(body)")
                #expect(response.envelope?.error.details.map(\.field) == fields, "\(body)")
            }
        }
    }

    @Test func anIdempotencyKeyReplaysAV2SubmissionAndRefusesAnotherBody() async throws {
        let fixture = try SocketAPIFixture()
        try await fixture.test { client in
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "v2-nightly"]
            let body = #"{"api": "v2", "job": \#(Self.job)}"#
            let first = try await client.call(.post, "/v1/submissions", body: body, headers: key)
            #expect(first.status == .accepted)
            let again = try await client.call(.post, "/v1/submissions", body: body, headers: key)
            #expect(again.status == .ok)
            let stored = try first.decode(SubmissionView.self)
            let replayed = try again.decode(SubmissionView.self)
            #expect(replayed.id == stored.id)
            #expect(replayed.trainingJobName == stored.trainingJobName)
            let other = body.replacingOccurrences(of: "retrain-a", with: "retrain-b")
            #expect(try await client.call(.post, "/v1/submissions", body: other, headers: key).status == .conflict)
        }
    }

    @Test func aBatchMixesV1AndV2() async throws {
        let fixture = try SocketAPIFixture()
        try await fixture.test { client in
            let body = #"{"submissions": [\#(SocketAPIFixture.seedBody), {"api": "v2", "job": \#(Self.job)}]}"#
            let response = try await client.call(.post, "/v1/submissions/batch", body: body)
            #expect(response.status == .accepted)
            let submissions = try response.decode(SubmissionList.self).submissions
            #expect(submissions.map(\.api) == [.v1, .v2])
            #expect(submissions[0].jobID == 10)
            #expect(submissions[1].trainingJobName?.hasPrefix("retrain-a-") == true)
        }
    }
}
