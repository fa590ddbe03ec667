import Foundation
import Logging
import ModelArts
import ModelArtsSimulator
import Synchronization
import Testing

/// A call's log lines carry the caller's metadata (the submission, the job), so a failed call in the
/// daemon's log says whose it was.
@Suite struct ClientLoggingTests {
    @Test func aFailedCallIsLoggedWithTheCallersMetadata() async throws {
        let lines = RecordedLines()
        var logger = Logger(label: "caller") { _ in MetadataRecordingHandler(lines: lines) }
        logger[metadataKey: "submission"] = "01SUBMISSION"
        try await ClientTestSupport.withSignedClient { client, _ in
            await #expect(throws: ModelArtsError.self) {
                _ = try await client.showVersion(jobID: 10, versionID: 9_999, logger: logger)
            }
            _ = try await client.showVersion(jobID: 10, versionID: 20, logger: logger)
        }
        let failed = try #require(lines.all.first { $0.message == "ModelArts call failed" })
        #expect(failed.metadata["submission"] == "01SUBMISSION")
        #expect(failed.metadata["operation"] != nil && failed.metadata["http_status"] == "404")
        let done = try #require(lines.all.first { $0.message == "ModelArts call done" })
        #expect(done.metadata["submission"] == "01SUBMISSION")
    }
}

private final class RecordedLines: Sendable {
    struct Line: Sendable {
        var message: String
        var metadata: [String: String]
    }

    private let lines = Mutex<[Line]>([])
    func append(_ line: Line) { lines.withLock { $0.append(line) } }
    var all: [Line] { lines.withLock { $0 } }
}

private struct MetadataRecordingHandler: LogHandler {
    let lines: RecordedLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.append(.init(message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
}
