import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Appends every answer the end-to-end tests' own clients get from trainqd to
/// `$TRAINQ_RECORD_ANSWERS/answers-swift-<pid>.jsonl`, one JSON object a line, so that
/// `scripts/openapi-check --answers-only DIR` can check each against openapi/trainq.yaml (CI does).
/// Does nothing when the variable is not set.
enum AnswerRecorder {
    private struct Line: Encodable {
        var method: String
        var path: String
        var status: Int
        var contentType: String
        var body: String
        var bodyNotUTF8: Bool?
        var raw: Bool?

        enum CodingKeys: String, CodingKey {
            case method, path, status, body, raw
            case contentType = "content_type"
            case bodyNotUTF8 = "body_not_utf8"
        }
    }

    /// Opened once, on first use (a `let` static is initialized exactly once, thread-safely); nil when not
    /// recording. Never closed: the process's end closes it.
    private static let descriptor: Int32? = {
        guard let directory = ProcessInfo.processInfo.environment["TRAINQ_RECORD_ANSWERS"], !directory.isEmpty else { return nil }
        let path = "\(directory)/answers-swift-\(getpid()).jsonl"
        let opened = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard opened >= 0 else {
            // Loudly: a recording that silently stays empty would let the spec check pass on nothing.
            print("AnswerRecorder: cannot open \(path): \(String(cString: strerror(errno)))")
            return nil
        }
        return opened
    }()

    /// - Parameters:
    ///   - path: the request target as sent, with its query.
    ///   - raw: the request was raw bytes that may not be HTTP at all (the fuzzer's): the spec's
    ///     `400 bad_request` for bytes that are not HTTP/1.1 applies whatever the request line says.
    static func record(method: String, path: String, status: Int, contentType: String?, body: Data, raw: Bool = false) {
        guard let descriptor = Self.descriptor else { return }
        let text = String(data: body, encoding: .utf8)
        let line = Line(
            method: method, path: path, status: status, contentType: contentType ?? "",
            body: text ?? String(decoding: body, as: UTF8.self), bodyNotUTF8: text == nil ? true : nil, raw: raw ? true : nil
        )
        guard var bytes = try? JSONEncoder().encode(line) else { return }
        bytes.append(UInt8(ascii: "\n"))
        // One write per line: with O_APPEND, lines from concurrent tests never interleave.
        _ = bytes.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in write(descriptor, buffer.baseAddress, buffer.count) }
    }
}
