import Foundation
import JSONTree
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `POST /v1/submissions` is answered from the connection's pipeline, everything else by the router.
/// These send raw HTTP/1.1 to a real trainqd over its socket and check what the two paths share: the
/// order of answers on one connection, the body limit, `Connection: close`, the idle timeout.
@Suite(.serialized) struct IntakePipelineTests {
    static func request(_ method: String, _ path: String, body: Data? = nil, headers: [String] = []) -> Data {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: trainq\r\n"
        for header in headers { text += "\(header)\r\n" }
        if let body { text += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        var bytes = Data((text + "\r\n").utf8)
        if let body { bytes.append(body) }
        return bytes
    }

    static func startDaemon(_ directory: TestDirectory, config: String) async throws -> DaemonProcess {
        let path = directory.file("trainqd.yaml")
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        return try await DaemonProcess(directory: directory, extraArguments: ["--simulate", "--config", path])
    }

    static func submissionID(_ answer: FuzzRawClient.Answer) -> String? {
        (try? JSONValue.parse(Array(answer.body)))?["id"]?.stringValue
    }

    @Test func pipelinedRequestsAreAnsweredInTheirOrder() async throws {
        let directory = try TestDirectory()
        let daemon = try await Self.startDaemon(directory, config: "socket:\n  group: \"\"\n")
        defer { daemon.child.signal(SIGKILL) }
        let good = ChaosRequestBody.submission(job: 10, previous: 20, description: "pipelined")
        var bytes = Data()
        bytes.append(Self.request("POST", "/v1/submissions", body: good))
        bytes.append(Self.request("GET", "/v1/health"))
        bytes.append(Self.request("POST", "/v1/submissions", body: good, headers: ["Idempotency-Key: pipe-1"]))
        bytes.append(Self.request("POST", "/v1/submissions", body: Data("{\"job_id\": ".utf8)))
        bytes.append(Self.request("POST", "/v1/submissions", body: good, headers: ["Idempotency-Key: pipe-1"]))
        bytes.append(Self.request("GET", "/v1/submissions?limit=10"))
        bytes.append(Self.request("POST", "/v1/submissions", body: good))
        bytes.append(Self.request("DELETE", "/v1/submissions"))
        bytes.append(Self.request("POST", "/v1/submissions", body: good, headers: ["Connection: close"]))
        bytes.append(Self.request("GET", "/v1/health"))

        let (answers, closed) = await FuzzRawClient.pipelined(socketPath: daemon.socketPath, chunks: [bytes], count: 9)
        #expect(answers.map(\.status) == [202, 200, 202, 400, 200, 200, 202, 405, 202], "\(answers.map { String(decoding: $0.body, as: UTF8.self) })")
        #expect(closed, "Connection: close must end the connection after its answer")
        guard answers.count == 9 else { return }
        #expect(answers[2].headers["date"] != nil && answers[0].headers["content-type"] == "application/json; charset=utf-8")
        #expect(Self.submissionID(answers[2]) == Self.submissionID(answers[4]), "the replay answers with the same submission")
        #expect((try JSONValue.parse(Array(answers[3].body)))["error"]?["kind"]?.stringValue == "invalid_json")
        // The listing, answered by the router after two submissions of the pipeline, shows both.
        let listed = try JSONValue.parse(Array(answers[5].body))["submissions"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        #expect(Set(listed) == Set([answers[0], answers[2]].compactMap(Self.submissionID)))
        #expect(await daemon.stop() == 0)
    }

    @Test func anOversizedSubmissionIsRefusedAndTheConnectionGoesOn() async throws {
        let directory = try TestDirectory()
        let daemon = try await Self.startDaemon(directory, config: "socket:\n  group: \"\"\n  max_body_bytes: 1024\n")
        defer { daemon.child.signal(SIGKILL) }
        let big = Data("{\"job_id\": 10, \"job_desc\": \"\(String(repeating: "x", count: 6000))\"}".utf8)
        var bytes = Self.request("POST", "/v1/submissions", body: big)
        bytes.append(Self.request("POST", "/v1/submissions", body: ChaosRequestBody.submission(job: 10, previous: 20, description: "after")))
        let (answers, _) = await FuzzRawClient.pipelined(socketPath: daemon.socketPath, chunks: [bytes], count: 2)
        #expect(answers.map(\.status) == [413, 202])
        if let refused = answers.first {
            #expect((try JSONValue.parse(Array(refused.body)))["error"]?["kind"]?.stringValue == "payload_too_large")
        }
        #expect(await daemon.stop() == 0)
    }

    @Test func aSubmissionWithConnectionCloseIsTheLastAnswer() async throws {
        let directory = try TestDirectory()
        let daemon = try await Self.startDaemon(directory, config: "socket:\n  group: \"\"\n")
        defer { daemon.child.signal(SIGKILL) }
        var bytes = Self.request("POST", "/v1/submissions", body: ChaosRequestBody.submission(job: 10, previous: 20, description: "last"), headers: ["Connection: close"])
        bytes.append(Self.request("GET", "/v1/health"))
        let (answers, closed) = await FuzzRawClient.pipelined(socketPath: daemon.socketPath, chunks: [bytes], count: 1)
        #expect(answers.map(\.status) == [202])
        #expect(answers.first?.headers["connection"] == "close")
        #expect(closed)
        #expect(await daemon.stop() == 0)
    }

    /// Hummingbird's idle timeout must count submissions as activity: a connection that submits every
    /// 200 ms for three times the timeout stays open.
    @Test func aBusyConnectionOutlivesTheIdleTimeout() async throws {
        let directory = try TestDirectory()
        let daemon = try await Self.startDaemon(directory, config: "socket:\n  group: \"\"\n  idle_timeout: 1s\n")
        defer { daemon.child.signal(SIGKILL) }
        let chunks = (0..<15).map { index in
            Self.request("POST", "/v1/submissions", body: ChaosRequestBody.submission(job: 10, previous: 20, description: "busy \(index)"))
        }
        let (answers, closed) = await FuzzRawClient.pipelined(socketPath: daemon.socketPath, chunks: chunks, pause: .milliseconds(200), count: 15)
        #expect(answers.map(\.status) == Array(repeating: 202, count: 15), "the connection was closed while in use")
        #expect(!closed)
        #expect(await daemon.stop() == 0)
    }
}
