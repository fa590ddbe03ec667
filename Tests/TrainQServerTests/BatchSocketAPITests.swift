import Foundation
import HTTPTypes
import HummingbirdTesting
import JSONTree
import Testing
import TrainQAPI

@testable import TrainQServer

/// `POST /v1/submissions/batch`: one answer for a whole sweep, every problem by index and field.
@Suite struct BatchSocketAPITests {
    private static func batchBody(_ items: [String]) -> String {
        #"{"submissions": ["# + items.joined(separator: ",") + "]}"
    }

    private static func item(workers: Int) -> String {
        SocketAPIFixture.seedBody.replacingOccurrences(of: #""worker_server_num": 1"#, with: #""worker_server_num": \#(workers)"#)
    }

    @Test func aBatchIsAcceptedWholeAndReplayedWithItsKey() async throws {
        let fixture = try SocketAPIFixture()
        try await fixture.test { client in
            let body = Self.batchBody((1...6).map { Self.item(workers: $0) })
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "sweep-7"]
            let first = try await client.call(.post, "/v1/submissions/batch", body: body, as: "alice", headers: key)
            #expect(first.status == .accepted)
            let created = try first.decode(SubmissionList.self)
            #expect(created.nextCursor == nil)
            #expect(created.submissions.map { $0.request["config"]?["worker_server_num"]?.int64Value } == (1...6).map { Int64($0) })
            #expect(created.submissions.allSatisfy { $0.state == .queued && $0.owner.user == "alice" && $0.jobID == 10 })

            let again = try await client.call(.post, "/v1/submissions/batch", body: body, as: "alice", headers: key)
            #expect(again.status == .ok)
            #expect(try again.decode(SubmissionList.self).submissions.map(\.id) == created.submissions.map(\.id))

            let other = Self.batchBody((1...5).map { Self.item(workers: $0) })
            let conflict = try await client.call(.post, "/v1/submissions/batch", body: other, as: "alice", headers: key)
            #expect(conflict.status == .conflict)
            #expect(conflict.envelope?.error.kind == .idempotencyConflict)

            let listed = try await client.call(.get, "/v1/submissions?limit=500")
            #expect(try listed.decode(SubmissionList.self).submissions.count == 6)
        }
    }

    @Test func everyProblemOfEveryItemIsListedAndNothingIsStored() async throws {
        let fixture = try SocketAPIFixture()
        try await fixture.test { client in
            let bad = SocketAPIFixture.seedBody.replacingOccurrences(of: #""spec_id": 1"#, with: #""spec_id": "one""#)
            let body = Self.batchBody([Self.item(workers: 1), bad, #"{"config": {}}"#, "7"])
            let response = try await client.call(.post, "/v1/submissions/batch", body: body)
            #expect(response.status == .badRequest)
            let envelope = try #require(response.envelope)
            #expect(envelope.error.kind == .validationFailed)
            let fields = Set(envelope.error.details.map(\.field))
            #expect(fields.contains("submissions[1].config.spec_id"))
            #expect(fields.contains("submissions[2].job_id"))
            #expect(fields.contains("submissions[3]"))
            #expect(!fields.contains { $0.hasPrefix("submissions[0]") })
            let listed = try await client.call(.get, "/v1/submissions")
            #expect(try listed.decode(SubmissionList.self).submissions.isEmpty)
        }
    }

    @Test func theShapeOfTheBatchIsChecked() async throws {
        let fixture = try SocketAPIFixture()
        try await fixture.test { client in
            let cases: [(String, String)] = [
                (#"{"submissions": []}"#, "submissions"),
                (#"{"submissions": {}}"#, "submissions"),
                (#"{}"#, "submissions"),
                (#"{"submissions": [\#(SocketAPIFixture.seedBody)], "extra": 1}"#, "extra"),
                ("[1]", ""),
            ]
            for (body, field) in cases {
                let response = try await client.call(.post, "/v1/submissions/batch", body: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.envelope?.error.details.map(\.field).contains(field) == true, "\(body)")
            }
            let tooMany = Self.batchBody(Array(repeating: #"{"job_id": 1}"#, count: 1001))
            let response = try await client.call(.post, "/v1/submissions/batch", body: tooMany)
            #expect(response.status == .badRequest)
            #expect(response.envelope?.error.details.first?.problem == "must have 1–1000 items, has 1001")
            let broken = try await client.call(.post, "/v1/submissions/batch", body: #"{"submissions": ["#)
            #expect(broken.envelope?.error.kind == .invalidJSON)
            let text = try await client.call(.post, "/v1/submissions/batch", body: "x", contentType: "text/plain")
            #expect(text.status == .unsupportedMediaType)
            let forbidden = try await client.call(.post, "/v1/submissions/batch", body: Self.batchBody([Self.item(workers: 1)]), as: "mallory")
            #expect(forbidden.status == .forbidden)
            let get = try await client.call(.get, "/v1/submissions/batch")
            #expect(get.status == .methodNotAllowed || get.status == .notFound)
        }
    }

    @Test func aBatchMayBeLargerThanOneRequestButNotWithoutLimit() async throws {
        // One request may be 4 KiB here; a batch 16 times that.
        let fixture = try SocketAPIFixture(maxBodyBytes: 4096)
        try await fixture.test { client in
            let fits = Self.batchBody(Array(repeating: Self.item(workers: 1), count: 20))
            #expect(fits.utf8.count > 4096 && fits.utf8.count < 16 * 4096)
            #expect(try await client.call(.post, "/v1/submissions/batch", body: fits).status == .accepted)
            let tooBig = Self.batchBody(Array(repeating: Self.item(workers: 1), count: 200))
            let response = try await client.call(.post, "/v1/submissions/batch", body: tooBig)
            #expect(response.status == .contentTooLarge)
            #expect(response.envelope?.error.kind == .payloadTooLarge)
        }
    }
}
