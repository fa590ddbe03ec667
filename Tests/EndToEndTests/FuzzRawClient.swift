import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One HTTP exchange over a Unix socket with raw bytes, so that requests no HTTP library would send
/// (broken request lines, lying lengths, invalid UTF-8) reach the daemon exactly as written. Blocking
/// socket calls run on a queue of their own, never on the concurrency pool.
enum FuzzRawClient {
    struct Answer: Sendable {
        var status: Int
        var headers: [String: String]
        var body: Data
    }

    enum Result: Sendable {
        case answered(Answer)
        /// The daemon closed the connection without a word (allowed: nothing was promised).
        case closed
        /// Neither an answer nor a close in time.
        case timedOut
        /// Could not even connect: the daemon is gone.
        case unreachable(String)
    }

    private static let queue = DispatchQueue(label: "fuzz-raw-client", attributes: .concurrent)

    /// Sends `chunks` with `pause` between them, half-closes the connection when `halfClose` (so that a
    /// request that stops short is seen to end), and reads one answer.
    static func exchange(
        socketPath: String, chunks: [Data], pause: Duration = .zero, halfClose: Bool, timeout: Duration = .seconds(5)
    ) async -> Result {
        await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: exchangeBlocking(socketPath: socketPath, chunks: chunks, pause: pause, halfClose: halfClose, timeout: timeout))
            }
        }
    }

    private static func exchangeBlocking(socketPath: String, chunks: [Data], pause: Duration, halfClose: Bool, timeout: Duration) -> Result {
        let descriptor: Int32
        switch connected(socketPath: socketPath, timeout: timeout) {
        case .success(let open): descriptor = open
        case .failure(let failure): return .unreachable(failure.reason)
        }
        defer { close(descriptor) }

        for (index, chunk) in chunks.enumerated() {
            if index > 0, pause > .zero { usleep(UInt32(pause.components.attoseconds / 1_000_000_000_000) + UInt32(pause.components.seconds) * 1_000_000) }
            let sent = chunk.withUnsafeBytes { raw -> Bool in
                var offset = 0
                while offset < raw.count {
                    let written = send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                    if written <= 0 { return false }
                    offset += written
                }
                return true
            }
            // The daemon may answer (413, 400) and close before taking everything: read what it said.
            if !sent { break }
        }
        if halfClose { shutdown(descriptor, Int32(SHUT_WR)) }
        let result = readAnswer(descriptor)
        // Only answers that parsed as HTTP: what was sent may be anything, but what came back must be in the spec.
        if case .answered(let answer) = result, answer.status > 0 {
            let (method, target) = requestLine(chunks.reduce(into: Data()) { $0.append($1) })
            AnswerRecorder.record(method: method, path: target, status: answer.status, contentType: answer.headers["content-type"], body: answer.body, raw: true)
        }
        return result
    }

    struct ConnectFailure: Error {
        var reason: String
    }

    /// A blocking connection to the socket, with `timeout` on every receive and send.
    private static func connected(socketPath: String, timeout: Duration) -> Swift.Result<Int32, ConnectFailure> {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return .failure(ConnectFailure(reason: "socket: \(String(cString: strerror(errno)))")) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else { close(descriptor); return .failure(ConnectFailure(reason: "socket path too long")) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in pathBytes.enumerated() { raw[index] = byte }
        }
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard status == 0 else {
            let reason = "connect: \(String(cString: strerror(errno)))"
            close(descriptor)
            return .failure(ConnectFailure(reason: reason))
        }
        let seconds = Int(timeout.components.seconds)
        var interval = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))

        return .success(descriptor)
    }

    /// Writes `chunks` on one connection, `pause` apart (one chunk may hold several requests: pipelined),
    /// and then reads answers until there are `count`, the daemon closes the connection, or `timeout`
    /// passes; `closed` says whether it closed.
    static func pipelined(
        socketPath: String, chunks: [Data], pause: Duration = .zero, count: Int, timeout: Duration = .seconds(10)
    ) async -> (answers: [Answer], closed: Bool) {
        await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: pipelinedBlocking(socketPath: socketPath, chunks: chunks, pause: pause, count: count, timeout: timeout))
            }
        }
    }

    private static func pipelinedBlocking(socketPath: String, chunks: [Data], pause: Duration, count: Int, timeout: Duration) -> (answers: [Answer], closed: Bool) {
        guard case .success(let descriptor) = connected(socketPath: socketPath, timeout: timeout) else { return ([], true) }
        defer { close(descriptor) }
        for (index, bytes) in chunks.enumerated() {
            if index > 0, pause > .zero { usleep(UInt32(pause.components.attoseconds / 1_000_000_000_000) + UInt32(pause.components.seconds) * 1_000_000) }
            let sent = bytes.withUnsafeBytes { raw in send(descriptor, raw.baseAddress!, raw.count, Int32(MSG_NOSIGNAL)) }
            if sent != bytes.count { break }
        }
        var answers: [Answer] = []
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        // One more read after the last answer tells whether the daemon closed (0) or kept it open (timeout).
        while true {
            while let (answer, length) = parseCounting(received) {
                answers.append(answer)
                received.removeFirst(length)
            }
            let read = recv(descriptor, &buffer, buffer.count, answers.count >= count ? Int32(MSG_DONTWAIT) : 0)
            if read > 0 {
                received.append(contentsOf: buffer[0..<read])
                continue
            }
            if read < 0, errno == EINTR { continue }
            if read < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                // Kept open: look once more after a moment, in case the close is on its way.
                usleep(200_000)
                let late = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                return (answers, late == 0)
            }
            return (answers, read == 0 || errno == ECONNRESET)
        }
    }

    /// A complete answer at the start of `data` with the bytes it took (content-length answers only).
    static func parseCounting(_ data: Data) -> (Answer, Int)? {
        guard let headerEnd = data.range(of: Data("\r\n\r\n".utf8)),
              let answer = parse(data), answer.status > 0,
              let length = answer.headers["content-length"].flatMap(Int.init)
        else { return nil }
        return (answer, headerEnd.upperBound - data.startIndex + length)
    }

    /// The method and target of the request line that `bytes` start with, or empty strings if there is none.
    private static func requestLine(_ bytes: Data) -> (method: String, target: String) {
        let end = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
        let words = String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self).split(separator: " ")
        guard words.count >= 2 else { return ("", "") }
        return (String(words[0]), words[1].trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static func readAnswer(_ descriptor: Int32) -> Result {
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let answer = parse(received) { return .answered(answer) }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count > 0 {
                received.append(contentsOf: buffer[0..<count])
                continue
            }
            if count == 0 || errno == ECONNRESET || errno == EPIPE {
                return parse(received, atEnd: true).map(Result.answered) ?? (received.isEmpty ? .closed : .answered(Answer(status: -1, headers: [:], body: received)))
            }
            if errno == EINTR { continue }
            return received.isEmpty ? .timedOut : .answered(Answer(status: -1, headers: [:], body: received))
        }
    }

    /// A complete answer in `data`, or nil while it is still short.
    static func parse(_ data: Data, atEnd: Bool = false) -> Answer? {
        guard let headerEnd = data.range(of: Data("\r\n\r\n".utf8)) else { return nil }
        let head = String(decoding: data[data.startIndex..<headerEnd.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return Answer(status: -1, headers: [:], body: data) }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let rest = data[headerEnd.upperBound...]
        if let length = headers["content-length"].flatMap(Int.init) {
            guard rest.count >= length else { return nil }
            return Answer(status: status, headers: headers, body: Data(rest.prefix(length)))
        }
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            guard let body = dechunk(Data(rest)) else { return nil }
            return Answer(status: status, headers: headers, body: body)
        }
        return atEnd ? Answer(status: status, headers: headers, body: Data(rest)) : nil
    }

    private static func dechunk(_ data: Data) -> Data? {
        var body = Data()
        var index = data.startIndex
        while true {
            guard let lineEnd = data[index...].range(of: Data("\r\n".utf8)) else { return nil }
            let sizeText = String(decoding: data[index..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else { return nil }
            let start = lineEnd.upperBound
            if size == 0 { return body }
            guard data.distance(from: start, to: data.endIndex) >= size + 2 else { return nil }
            let end = data.index(start, offsetBy: size)
            body.append(data[start..<end])
            index = data.index(end, offsetBy: 2)
        }
    }
}
