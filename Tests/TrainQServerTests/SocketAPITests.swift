import Foundation
import HTTPTypes
import HummingbirdTesting
import JSONTree
import NIOCore
import Testing
import TrainQAPI
@testable import TrainQServer

@Suite struct SocketAPITests {
    @Test func theSeedRequestIsAcceptedAndStored() async throws {
        let fixture = try SocketAPIFixture()
        try await fixture.test { client in
            let response = try await client.call(.post, "/v1/submissions", body: SocketAPIFixture.seedBody, as: "alice")
            #expect(response.status == .accepted)
            let submission = try response.decode(SubmissionView.self)
            #expect(submission.state == .queued)
            #expect(submission.owner == Owner(uid: 1001, user: "alice"))
            #expect(submission.jobID == 10)
            #expect(submission.projectID == SocketAPIFixture.projectID)
            #expect(submission.request["config"]?["pre_version_id"] == .integer(20))
            #expect(submission.request["job_id"] == nil)
            let shown = try await client.call(.get, "/v1/submissions/\(submission.id)", as: "bob")
            #expect(shown.status == .ok)
            #expect(try shown.decode(SubmissionView.self).id == submission.id)
        }
    }

    @Test func idempotencyKeyReplaysAndConflicts() async throws {
        let fixture = try SocketAPIFixture()
        try await fixture.test { client in
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "nightly-42"]
            let first = try await client.call(.post, "/v1/submissions", body: SocketAPIFixture.seedBody, headers: key)
            #expect(first.status == .accepted)
            let again = try await client.call(.post, "/v1/submissions", body: SocketAPIFixture.seedBody, headers: key)
            #expect(again.status == .ok)
            #expect(try again.decode(SubmissionView.self).id == (try first.decode(SubmissionView.self)).id)
            let other = SocketAPIFixture.seedBody.replacingOccurrences(of: "This is a ModelArts job", with: "another")
            let conflict = try await client.call(.post, "/v1/submissions", body: other, headers: key)
            #expect(conflict.status == .conflict)
            #expect(conflict.envelope?.error.kind == .idempotencyConflict)
        }
    }

    @Test func everyViolationIsListedWithItsField() async throws {
        let fixture = try SocketAPIFixture()
        try await fixture.test { client in
            let body = #"{"job_id": "10", "config": {"worker_server_num": 0, "spec_id": 1, "pool_id": "p", "train_url": "/o/", "surprise": 1}}"#
            let response = try await client.call(.post, "/v1/submissions", body: body)
            #expect(response.status == .badRequest)
            let envelope = try #require(response.envelope)
            #expect(envelope.error.kind == .validationFailed)
            let fields = Set(envelope.error.details.map(\.field))
            #expect(fields.contains("job_id"))
            #expect(fields.contains("config.worker_server_num"))
            #expect(fields.contains("config.pre_version_id"))
            #expect(fields.contains("config.surprise"))
            #expect(envelope.error.details.count >= 5)
        }
    }

    /// Found by schemathesis against a real trainqd: values that parse but cannot be held once crashed the
    /// daemon, or named something else than they say.
    @Test func valuesOutOfRangeOrInDisguiseAreRefusedNotObeyed() async throws {
        let fixture = try SocketAPIFixture()
        try await fixture.test { client in
            for timeout in ["1e16", "10000000000000000", "9999999999999999999999d", "inf", "nan", "-1s"] {
                let response = try await client.call(.get, "/v1/events?after=0&timeout=\(timeout)")
                #expect(response.status == .badRequest, "timeout=\(timeout)")
                #expect(response.envelope?.error.kind == .badRequest)
            }
            // Fullwidth digits are hexadecimal to Swift's Character, not to ModelArts.
            let fullwidth = "０１２３４５６７８９abcdef０１２３４５６７８９abcdef"
            let body = SocketAPIFixture.seedBody.replacingOccurrences(of: #""job_id": 10"#, with: #""job_id": 10, "project_id": "\#(fullwidth)""#)
            #expect(body.contains(fullwidth))
            let refused = try await client.call(.post, "/v1/submissions", body: body)
            #expect(refused.status == .badRequest)
            #expect(refused.envelope?.error.details.map(\.field) == ["project_id"])
            // A NUL ends the name for the C library: "root\0x" must not list root's submissions.
            let owner = try await client.call(.get, "/v1/submissions?owner=root%00x")
            #expect(owner.status == .badRequest)
            // The daemon is still there.
            #expect(try await client.call(.get, "/v1/health").status == .ok)
        }
    }

    @Test func malformedJSONWrongMediaTypeAndOversizedBodies() async throws {
        let fixture = try SocketAPIFixture(maxBodyBytes: 4096)
        try await fixture.test { client in
            let broken = try await client.call(.post, "/v1/submissions", body: #"{"job_id": 10, "config": "#)
            #expect(broken.status == .badRequest)
            #expect(broken.envelope?.error.kind == .invalidJSON)
            #expect(broken.envelope?.error.message.contains("at byte") == true)

            let twice = try await client.call(.post, "/v1/submissions", body: #"{"job_id": 10, "job_id": 11, "config": {}}"#)
            #expect(twice.status == .badRequest)
            #expect(twice.envelope?.error.kind == .invalidJSON)
            #expect(twice.envelope?.error.message.contains("duplicate key 'job_id'") == true)

            let form = try await client.call(.post, "/v1/submissions", body: "job_id=10", contentType: "application/x-www-form-urlencoded")
            #expect(form.status == .unsupportedMediaType)
            #expect(form.envelope?.error.kind == .unsupportedMediaType)

            let huge = #"{"job_desc": ""# + String(repeating: "x", count: 8192) + #""}"#
            let tooLarge = try await client.call(.post, "/v1/submissions", body: huge)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.envelope?.error.kind == .payloadTooLarge)

            let notObject = try await client.call(.post, "/v1/submissions", body: "[1, 2]")
            #expect(notObject.status == .badRequest)
            #expect(notObject.envelope?.error.kind == .validationFailed)
        }
    }

    @Test func unknownPathsAndMethodsGetTheEnvelope() async throws {
        let fixture = try SocketAPIFixture()
        try await fixture.test { client in
            let missing = try await client.call(.get, "/v1/nothing")
            #expect(missing.status == .notFound)
            #expect(missing.envelope?.error.kind == .notFound)

            let wrongMethod = try await client.call(.delete, "/v1/submissions")
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.envelope?.error.kind == .methodNotAllowed)
            #expect(wrongMethod.headers[.allow]?.contains("POST") == true)

            let noSubmission = try await client.call(.get, "/v1/submissions/01NOSUCHSUBMISSION")
            #expect(noSubmission.status == .notFound)
            #expect(noSubmission.envelope?.error.kind == .notFound)
        }
    }

    @Test func listFiltersAndPagesWithACursor() async throws {
        let fixture = try SocketAPIFixture()
        try await fixture.test { client in
            var ids: [String] = []
            for index in 0..<5 {
                let body = SocketAPIFixture.seedBody.replacingOccurrences(of: #""job_id": 10"#, with: #""job_id": \#(index % 2 == 0 ? 10 : 11)"#)
                let response = try await client.call(.post, "/v1/submissions", body: body, as: index < 3 ? "alice" : "bob")
                ids.append(try response.decode(SubmissionView.self).id)
            }
            let firstPage = try await client.call(.get, "/v1/submissions?limit=2").decode(SubmissionList.self)
            #expect(firstPage.submissions.map(\.id) == [ids[4], ids[3]])
            let cursor = try #require(firstPage.nextCursor)
            let secondPage = try await client.call(.get, "/v1/submissions?limit=2&cursor=\(cursor)").decode(SubmissionList.self)
            #expect(secondPage.submissions.map(\.id) == [ids[2], ids[1]])

            let job11 = try await client.call(.get, "/v1/submissions?job_id=11").decode(SubmissionList.self)
            #expect(Set(job11.submissions.map(\.id)) == [ids[1], ids[3]])
            let byOwner = try await client.call(.get, "/v1/submissions?owner=1002").decode(SubmissionList.self)
            #expect(Set(byOwner.submissions.map(\.id)) == [ids[3], ids[4]])
            let queued = try await client.call(.get, "/v1/submissions?state=queued").decode(SubmissionList.self)
            #expect(queued.submissions.count == 5)

            let badState = try await client.call(.get, "/v1/submissions?state=sleeping")
            #expect(badState.status == .badRequest)
            let badCursor = try await client.call(.get, "/v1/submissions?cursor=not-a-cursor")
            #expect(badCursor.status == .badRequest)
            let badLimit = try await client.call(.get, "/v1/submissions?limit=0")
            #expect(badLimit.status == .badRequest)
        }
    }

    @Test func cancelAQueuedSubmission() async throws {
        let fixture = try SocketAPIFixture()
        try await fixture.test { client in
            let submission = try await client.call(.post, "/v1/submissions", body: SocketAPIFixture.seedBody, as: "alice")
                .decode(SubmissionView.self)
            // Another member may read but not cancel it.
            let refused = try await client.call(.post, "/v1/submissions/\(submission.id)/cancel", as: "bob")
            #expect(refused.status == .forbidden)
            #expect(refused.envelope?.error.kind == .forbidden)

            let canceled = try await client.call(.post, "/v1/submissions/\(submission.id)/cancel", as: "alice")
            #expect(canceled.status == .ok)
            #expect(try canceled.decode(SubmissionView.self).state == .canceled)

            let again = try await client.call(.post, "/v1/submissions/\(submission.id)/cancel", as: "alice")
            #expect(again.status == .conflict)
            #expect(again.envelope?.error.kind == .invalidState)

            let retry = try await client.call(.post, "/v1/submissions/\(submission.id)/retry", as: "alice")
            #expect(retry.status == .conflict)
        }
    }

    @Test func resolveIsForAdminsAndChecksItsBody() async throws {
        let fixture = try SocketAPIFixture()
        try await fixture.test { client in
            let submission = try await client.call(.post, "/v1/submissions", body: SocketAPIFixture.seedBody, as: "alice")
                .decode(SubmissionView.self)
            let member = try await client.call(.post, "/v1/submissions/\(submission.id)/resolve", body: #"{"action": "cancel"}"#, as: "alice")
            #expect(member.status == .forbidden)
            let noVersion = try await client.call(.post, "/v1/submissions/\(submission.id)/resolve", body: #"{"action": "adopt"}"#)
            #expect(noVersion.status == .badRequest)
            let badAction = try await client.call(.post, "/v1/submissions/\(submission.id)/resolve", body: #"{"action": "shrug"}"#)
            #expect(badAction.status == .badRequest)
            // The body is JSON like any other: no key twice, nothing unknown, the JSON media type.
            let twice = try await client.call(
                .post, "/v1/submissions/\(submission.id)/resolve", body: #"{"action": "cancel", "action": "requeue"}"#)
            #expect(twice.envelope?.error.kind == .invalidJSON)
            let unknown = try await client.call(
                .post, "/v1/submissions/\(submission.id)/resolve", body: #"{"action": "cancel", "force": true}"#)
            #expect(unknown.envelope?.error.kind == .validationFailed)
            #expect(unknown.envelope?.error.details.map(\.field) == ["force"])
            let text = try await client.call(
                .post, "/v1/submissions/\(submission.id)/resolve", body: #"{"action": "cancel"}"#, contentType: "text/plain")
            #expect(text.status == .unsupportedMediaType)
            // A queued submission does not need attention: the engine refuses.
            let notNeeded = try await client.call(.post, "/v1/submissions/\(submission.id)/resolve", body: #"{"action": "requeue"}"#)
            #expect(notNeeded.status == .conflict)
            #expect(notNeeded.envelope?.error.kind == .invalidState)
        }
    }

    @Test func callersThePolicyRefusesGet403() async throws {
        let fixture = try SocketAPIFixture()
        try await fixture.test { client in
            let response = try await client.call(.get, "/v1/submissions", as: "mallory")
            #expect(response.status == .forbidden)
            #expect(response.envelope?.error.kind == .forbidden)
            let submit = try await client.call(.post, "/v1/submissions", body: SocketAPIFixture.seedBody, as: "mallory")
            #expect(submit.status == .forbidden)
        }
    }

    @Test func eventsLongPollReturnsOnlyNewerEventsAndWaitsWhenThereAreNone() async throws {
        let fixture = try SocketAPIFixture()
        try await fixture.test { client in
            let submission = try await client.call(.post, "/v1/submissions", body: SocketAPIFixture.seedBody).decode(SubmissionView.self)
            let all = try await client.call(.get, "/v1/events?after=0&timeout=0s").decode(EventsPage.self)
            #expect(all.events.map(\.submission) == [submission.id])
            #expect(all.events.first?.state == .queued)

            let started = ContinuousClock.now
            let none = try await client.call(.get, "/v1/events?after=\(all.lastSeq)&timeout=300ms").decode(EventsPage.self)
            #expect(none.events.isEmpty)
            #expect(ContinuousClock.now - started >= .milliseconds(250), "the long-poll must wait for its timeout")

            async let waiting = client.call(.get, "/v1/events?after=\(all.lastSeq)&timeout=20s")
            try await Task.sleep(for: .milliseconds(100))
            _ = try await client.call(.post, "/v1/submissions/\(submission.id)/cancel")
            let woken = try await waiting.decode(EventsPage.self)
            #expect(woken.events.map(\.state) == [.canceled])

            let filtered = try await client.call(.get, "/v1/events?after=0&timeout=0s&job_id=99").decode(EventsPage.self)
            #expect(filtered.events.isEmpty)
            let bad = try await client.call(.get, "/v1/events?after=-1")
            #expect(bad.status == .badRequest)
        }
    }

    @Test func healthShowsEveryState() async throws {
        let fixture = try SocketAPIFixture()
        try await fixture.test { client in
            _ = try await client.call(.post, "/v1/submissions", body: SocketAPIFixture.seedBody)
            try await Task.sleep(for: .milliseconds(30))
            let health = try await client.call(.get, "/v1/health").decode(HealthView.self)
            #expect(health.status == "ok")
            #expect(health.states.count == SubmissionState.allCases.count)
            #expect(health.states["queued"] == 1)
            #expect(health.simulated)
            // The engine is not running here: the submission waits, and its wait is measured.
            #expect((health.oldestDueSeconds ?? 0) > 0)
            #expect(health.activity == HealthActivity())
        }
    }
}
