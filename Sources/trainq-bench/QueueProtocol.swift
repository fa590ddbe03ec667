import Foundation

/// How one durable enqueue is framed for each server under test, and how its acknowledgement is
/// recognised. The payload is the same bytes for all of them: the seed's request body.
enum QueueProtocol: String, CaseIterable {
    /// `POST /v1/submissions` to trainqd, HTTP/1.1 keep-alive; acknowledged by `202`.
    case trainq
    /// `POST /v1/submissions/batch` to trainqd, the payload being `{"submissions": [...]}`; acknowledged by
    /// `202` for every item at once.
    case trainqBatch = "trainq-batch"
    /// The same request to a path trainqd does not serve, answered `404` in the error envelope: what
    /// trainqd's HTTP path costs (reading, parsing, routing, answering) before any intake work.
    case trainqHTTPFloor = "trainq-http-floor"
    /// beanstalkd `put`; acknowledged by `INSERTED <id>` (with `-f0`, after fsync).
    case beanstalkd
    /// redis `RPUSH`; acknowledged by `:<length>` (with `appendfsync always`, after fsync).
    case redis

    func request(payload: [UInt8]) -> [UInt8] {
        switch self {
        case .trainq:
            return Self.post("/v1/submissions", payload)
        case .trainqBatch:
            return Self.post("/v1/submissions/batch", payload)
        case .trainqHTTPFloor:
            return Self.post("/v1/http-floor", payload)
        case .beanstalkd:
            return Array("put 0 0 120 \(payload.count)\r\n".utf8) + payload + Array("\r\n".utf8)
        case .redis:
            return Array("*3\r\n$5\r\nRPUSH\r\n$7\r\ntrainq1\r\n$\(payload.count)\r\n".utf8) + payload + Array("\r\n".utf8)
        }
    }

    /// The length of the complete reply at the start of `bytes`, or nil while it is incomplete.
    func replyLength(_ bytes: [UInt8]) -> Int? {
        switch self {
        case .trainq, .trainqBatch, .trainqHTTPFloor: HTTPReply.length(bytes)
        case .beanstalkd, .redis: Self.lineLength(bytes)
        }
    }

    /// Whether a complete reply is the acknowledgement of a stored message.
    func isAcknowledgement(_ reply: [UInt8]) -> Bool {
        switch self {
        case .trainq, .trainqBatch: reply.starts(with: Array("HTTP/1.1 202".utf8))
        case .trainqHTTPFloor: reply.starts(with: Array("HTTP/1.1 404".utf8))
        case .beanstalkd: reply.starts(with: Array("INSERTED ".utf8))
        case .redis: reply.first == UInt8(ascii: ":")
        }
    }

    /// The batch body of `items` copies of one submission's body.
    static func batch(of payload: [UInt8], items: Int) -> [UInt8] {
        var body = Array(#"{"submissions": ["#.utf8)
        for index in 0..<items {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += payload
        }
        return body + Array("]}".utf8)
    }

    private static func post(_ path: String, _ payload: [UInt8]) -> [UInt8] {
        let head = "POST \(path) HTTP/1.1\r\nHost: trainq\r\nContent-Type: application/json\r\nContent-Length: \(payload.count)\r\n\r\n"
        return Array(head.utf8) + payload
    }

    private static func lineLength(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for index in 1..<bytes.count where bytes[index - 1] == 13 && bytes[index] == 10 { return index + 1 }
        return nil
    }
}

/// Just enough HTTP/1.1 to find where an answer with a `Content-Length` ends.
enum HTTPReply {
    static func length(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var headerEnd: Int?
        for index in 3..<bytes.count where bytes[index - 3] == 13 && bytes[index - 2] == 10 && bytes[index - 1] == 13 && bytes[index] == 10 {
            headerEnd = index + 1
            break
        }
        guard let headerEnd else { return nil }
        let head = String(decoding: bytes[0..<headerEnd], as: UTF8.self).lowercased()
        var bodyLength = 0
        for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
            bodyLength = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return bytes.count >= headerEnd + bodyLength ? headerEnd + bodyLength : nil
    }

    /// The body of a complete answer.
    static func body(_ reply: [UInt8]) -> [UInt8] {
        for index in 3..<reply.count where reply[index - 3] == 13 && reply[index - 2] == 10 && reply[index - 1] == 13 && reply[index] == 10 {
            return Array(reply[(index + 1)...])
        }
        return []
    }
}
