import Foundation
import JSONTree
import Testing
import TrainQAPI

/// The hand-written JSON of the API answers must be the document their `Encodable` conformance writes.
@Suite struct APIJSONWritingTests {
    private func sameDocument<Value: Encodable & APIJSONWritable>(_ value: Value, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let encoded = try JSONValue.parse(APICoding.encoder().encode(value))
        let written = try JSONValue.parse(value.apiJSONBytes())
        #expect(written == encoded, sourceLocation: sourceLocation)
        #expect(value.apiJSONBytes().last == UInt8(ascii: "\n"), sourceLocation: sourceLocation)
    }

    private static let at = Date(timeIntervalSince1970: 1_764_324_000.123)

    private static let full = SubmissionView(
        id: "01JDQ4Z7Y8X9W0V1U2T3S4R5Q6", state: .tracking, owner: Owner(uid: 1000, user: "alice"),
        projectID: "0123456789abcdef0123456789abcdef", jobID: 10,
        request: .object([
            "job_desc": .string("nightly \"run\"\n/é"),
            "config": .object(["pre_version_id": .integer(20), "worker_server_num": .integer(1), "ratio": .number(0.5), "flag": .bool(true), "none": .null, "list": .array([.string("a")])]),
        ]),
        createdAt: at, updatedAt: at.addingTimeInterval(2.5), nextAttemptAt: at.addingTimeInterval(1),
        attempts: [
            AttemptView(number: 1, startedAt: at, finishedAt: at.addingTimeInterval(0.2), outcome: "transient", httpStatus: 503,
                        errorCode: "ModelArts.4700", message: "busy", requestID: "req-1", delayMS: 900),
            AttemptView(number: 2, startedAt: at.addingTimeInterval(1)),
        ],
        versionID: 123, versionName: "V0002", remoteStatus: RemoteStatus(code: 8, name: "running", at: at),
        reason: "created", history: [
            HistoryEntry(seq: 1, at: at, state: .queued),
            HistoryEntry(seq: 7, at: at, state: .tracking, remoteStatus: RemoteStatus(code: 1, name: "init"), reason: "why"),
        ], takenBy: "host-a")

    @Test func aSubmissionWithEveryFieldSet() throws {
        try sameDocument(Self.full)
    }

    @Test func aFreshSubmissionWritesItsAbsentFieldsAsNull() throws {
        let fresh = SubmissionView(
            id: "x", state: .queued, owner: Owner(uid: 0, user: "root"), projectID: "p", jobID: 1, request: .object([:]),
            createdAt: Self.at, updatedAt: Self.at)
        try sameDocument(fresh)
        let written = try JSONValue.parse(fresh.apiJSONBytes())
        #expect(written["version_id"] == .null && written["remote_status"] == .null && written["next_attempt_at"] == .null)
    }

    @Test func listsAndEvents() throws {
        try sameDocument(SubmissionList(submissions: [Self.full, Self.full], nextCursor: "abc"))
        try sameDocument(SubmissionList(submissions: [], nextCursor: nil))
        let event = EventView(seq: 3, at: Self.at, submission: "s", jobID: 10, state: .tracking,
                              remoteStatus: RemoteStatus(code: 8, name: "running"), reason: "r")
        try sameDocument(event)
        try sameDocument(EventsPage(events: [event, EventView(seq: 4, at: Self.at, submission: "s", jobID: 10, state: .queued)], lastSeq: 9))
    }

    @Test func timestampsAreUTCWithMillisecondsAndReadBack() throws {
        #expect(APICoding.formatTimestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(APICoding.formatTimestamp(Date(timeIntervalSince1970: 1_764_324_000.123)) == "2025-11-28T10:00:00.123Z")
        #expect(APICoding.formatTimestamp(Date(timeIntervalSince1970: -0.001)) == "1969-12-31T23:59:59.999Z")
        #expect(APICoding.formatTimestamp(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
        #expect(APICoding.formatTimestamp(Date(timeIntervalSince1970: 253_402_300_799.999)) == "9999-12-31T23:59:59.999Z")
        // Every whole millisecond formats to itself and parses back to the same instant.
        for _ in 0..<2000 {
            let milliseconds = Int64.random(in: -2_000_000_000_000...4_000_000_000_000)
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            #expect(APICoding.epochMilliseconds(date) == milliseconds)
            let text = APICoding.formatTimestamp(date)
            let parsed = try #require(APICoding.parseTimestamp(text))
            #expect(APICoding.epochMilliseconds(parsed) == milliseconds, "\(text)")
        }
    }
}
