import Foundation

/// Malformed and mutated requests for the socket API, drawn from a seeded generator. None of them is a
/// valid submission (JSON bodies never carry a valid `job_id` unless something else is broken), so every
/// answer must be a 4xx in the error envelope.
struct FuzzCase {
    enum Category: String, CaseIterable {
        case randomBytes = "random bytes"
        case brokenHTTP = "broken HTTP"
        case truncatedJSON = "truncated JSON"
        case deepJSON = "deeply nested JSON"
        case hugeNumbers = "huge numbers"
        case hugeStrings = "huge strings"
        case invalidUTF8 = "invalid UTF-8"
        case wrongTypes = "wrong types"
        case mutatedJSON = "mutated JSON"
        case oversizedBody = "oversized body"
        case wrongContentType = "wrong content type"
        case oddQueries = "odd paths and queries"
    }

    var category: Category
    var bytes: Data
    /// End the connection after sending: a request that stops short must be seen to end.
    var halfClose: Bool

    static func make(_ category: Category, random: inout ChaosRandom, maxBodyBytes: Int) -> FuzzCase {
        switch category {
        case .randomBytes:
            let count = Int.random(in: 1...4096, using: &random)
            return FuzzCase(category: category, bytes: Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }), halfClose: true)
        case .brokenHTTP:
            return FuzzCase(category: category, bytes: brokenHTTP(&random), halfClose: true)
        case .truncatedJSON:
            let whole = Array(FuzzBodies.seed(jobID: "10"))
            let cut = Int.random(in: 0..<whole.count, using: &random)
            return post(category, Data(whole[0..<cut]))
        case .deepJSON:
            let depth = Int.random(in: 600...120_000, using: &random)
            let body: String
            switch Int.random(in: 0..<3, using: &random) {
            case 0: body = #"{"job_id": 10, "config": "# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
            case 1: body = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
            default: body = #"{"config": "# + String(repeating: "[", count: depth)
            }
            return post(category, Data(body.utf8))
        case .hugeNumbers:
            let numbers = [
                "1e400", "-1e400", "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890123456789",
                "1" + String(repeating: "0", count: Int.random(in: 400...50_000, using: &random)), "0.0000000000000000000000001e-400", "1E+99999999999",
            ]
            let number = numbers.randomElement(using: &random) ?? "1e400"
            let field = ["job_id", "worker_server_num", "spec_id", "engine_id", "pre_version_id"].randomElement(using: &random) ?? "job_id"
            let body = field == "job_id" ? FuzzBodies.seed(jobID: number) : FuzzBodies.seed(jobID: nil, replacing: field, with: number)
            return post(category, body)
        case .hugeStrings:
            let length = Int.random(in: 1000...(maxBodyBytes - 2000), using: &random)
            let field = ["job_desc", "app_url", "boot_file_url", "train_url", "dataset_id"].randomElement(using: &random) ?? "job_desc"
            let text = "\"" + String(repeating: "x", count: length) + "\""
            return post(category, FuzzBodies.seed(jobID: nil, replacing: field, with: text))
        case .invalidUTF8:
            var body = Array(FuzzBodies.seed(jobID: nil))
            let junk: [[UInt8]] = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xC0, 0xAF], Array(#"\ud800"#.utf8)]
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                // Inside a string value: right after an opening quote.
                let quotes = body.indices.filter { body[$0] == UInt8(ascii: "\"") }
                let at = (quotes.randomElement(using: &random) ?? 0) + 1
                body.insert(contentsOf: junk.randomElement(using: &random) ?? [0xFF], at: min(at, body.count))
            }
            return post(category, Data(body))
        case .wrongTypes:
            let replacements: [(String?, String, String)] = [
                ("\"10\"", "worker_server_num", "1"), ("10.5", "worker_server_num", "1"), ("-3", "worker_server_num", "1"),
                ("true", "worker_server_num", "1"), ("null", "worker_server_num", "1"), ("[10]", "worker_server_num", "1"),
                (nil, "config", "[]"), (nil, "config", "\"config\""), (nil, "worker_server_num", "\"1\""),
                (nil, "parameter", "{}"), (nil, "parameter", "[1, 2]"), (nil, "spec_id", "\"one\""), (nil, "job_desc", "42"),
                (nil, "pre_version_id", "[]"), ("{}", "app_url", "null"),
            ]
            let (jobID, field, value) = replacements.randomElement(using: &random) ?? (nil, "config", "[]")
            return post(category, FuzzBodies.seed(jobID: jobID, replacing: field, with: value))
        case .mutatedJSON:
            var body = Array(FuzzBodies.seed(jobID: nil))
            for _ in 0..<Int.random(in: 1...8, using: &random) where !body.isEmpty {
                let at = Int.random(in: 0..<body.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: body[at] = UInt8.random(in: 0...255, using: &random)
                case 1: body.remove(at: at)
                default: body.insert(Array("{}[]\",:\\0e-".utf8).randomElement(using: &random) ?? 0x22, at: at)
                }
            }
            return post(category, Data(body))
        case .oversizedBody:
            let body = Data(repeating: UInt8(ascii: " "), count: maxBodyBytes + Int.random(in: 1...200_000, using: &random))
            return post(category, body)
        case .wrongContentType:
            let type = ["text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "\u{1}"]
                .randomElement(using: &random) ?? "text/plain"
            return FuzzCase(category: category, bytes: request("POST", "/v1/submissions", contentType: type, body: FuzzBodies.seed(jobID: "10")), halfClose: false)
        case .oddQueries:
            let targets: [(String, String)] = [
                ("GET", "/v1/submissions?limit=abc"), ("GET", "/v1/submissions?limit=0"), ("GET", "/v1/submissions?limit=99999999999999999999999"),
                ("GET", "/v1/submissions?state=nope"), ("GET", "/v1/submissions?job_id=-1x"), ("GET", "/v1/submissions?cursor=%FF%FE%00garbage"),
                ("GET", "/v1/submissions?cursor=" + String(repeating: "A", count: 5000)), ("GET", "/v1/submissions/does-not-exist"),
                ("GET", "/v1/submissions/%00%FF"), ("GET", "/v1/events?after=-5"), ("GET", "/v1/events?after=abc"),
                ("GET", "/v1/events?timeout=forever"), ("DELETE", "/v1/submissions"), ("PUT", "/v1/health"), ("GET", "/v2/anything"),
                ("GET", "/" + String(repeating: "../", count: 200)), ("POST", "/v1/submissions/nope/cancel"), ("POST", "/v1/submissions/nope/resolve"),
                ("PATCH", "/v1/submissions/x"), ("GET", "/v1/submissions?owner=" + String(repeating: "%C3%A9", count: 300)),
            ]
            let (method, path) = targets.randomElement(using: &random) ?? ("GET", "/nope")
            let body: Data? = method == "GET" ? nil : Data("{\"x\": 1}".utf8)
            return FuzzCase(category: category, bytes: request(method, path, contentType: body == nil ? nil : "application/json", body: body), halfClose: false)
        }
    }

    private static func post(_ category: Category, _ body: Data) -> FuzzCase {
        FuzzCase(category: category, bytes: request("POST", "/v1/submissions", contentType: "application/json", body: body), halfClose: false)
    }

    static func request(_ method: String, _ target: String, contentType: String?, body: Data?, extraHeaders: String = "") -> Data {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\n" + extraHeaders
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        var data = Data((head + "\r\n").utf8)
        if let body { data.append(body) }
        return data
    }

    private static func brokenHTTP(_ random: inout ChaosRandom) -> Data {
        let body = FuzzBodies.seed(jobID: "10")
        let cases: [Data] = [
            Data("GET / HTTP/1.1\r\nHost\r\n\r\n".utf8),
            Data("POST /v1/submissions HTTP/1.1\r\nContent-Length: -5\r\n\r\n".utf8),
            Data("POST /v1/submissions HTTP/1.1\r\nContent-Length: abc\r\n\r\n{}".utf8),
            Data("POST /v1/submissions HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".utf8),
            Data("POST /v1/submissions HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n".utf8),
            Data("GET /v1/health HTTP/9.9\r\n\r\n".utf8),
            Data("GET /v1/health\r\n\r\n".utf8),
            Data("\r\n\r\n\r\n".utf8),
            Data("GET /v1/health HTTP/1.1\r\nX-Bad\u{0}Header: 1\r\n\r\n".utf8),
            Data("GET /v1/health HTTP/1.1\r\n: no-name\r\n\r\n".utf8),
            Data(("GET /" + String(repeating: "a", count: 120_000) + " HTTP/1.1\r\n\r\n").utf8),
            Data(("GET /v1/health HTTP/1.1\r\n" + String(repeating: "X-Pad: " + String(repeating: "p", count: 8000) + "\r\n", count: 200) + "\r\n").utf8),
            // The body stops short of its length, then the connection ends.
            request("POST", "/v1/submissions", contentType: "application/json", body: nil, extraHeaders: "Content-Length: \(body.count)\r\n") + body.prefix(body.count / 2),
            // Headers that never end.
            Data("POST /v1/submissions HTTP/1.1\r\nContent-Type: application/json\r\n".utf8),
            Data("G".utf8),
        ]
        return cases.randomElement(using: &random) ?? Data("G".utf8)
    }
}

/// The seed's request body as the socket API takes it, with one field replaced by raw JSON text.
enum FuzzBodies {
    /// - Parameter jobID: raw JSON for `job_id`, or nil to leave it out (which alone makes it invalid).
    static func seed(jobID: String?, replacing field: String? = nil, with value: String? = nil) -> Data {
        var fields: [(String, String)] = [
            ("worker_server_num", "1"), ("app_url", "\"/usr/app/\""), ("boot_file_url", "\"/usr/app/boot.py\""),
            ("parameter", #"[{"label": "learning_rate", "value": "0.01"}, {"label": "batch_size", "value": "32"}]"#),
            ("dataset_id", "\"38277e62-9e59-48f4-8d89-c8cf41622c24\""), ("dataset_version_id", "\"2ff0d6ba-c480-45ae-be41-09a8369bfc90\""),
            ("spec_id", "1"), ("engine_id", "1"), ("train_url", "\"/usr/train/\""), ("log_url", "\"/usr/log/\""), ("pre_version_id", "20"),
        ]
        var description = "\"This is a ModelArts job\""
        var config: String?
        if let field, let value {
            switch field {
            case "job_desc": description = value
            case "config": config = value
            default: fields = fields.map { $0.0 == field ? ($0.0, value) : $0 }
            }
        }
        let configText = config ?? "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
        let jobPart = jobID.map { "\"job_id\": \($0), " } ?? ""
        return Data(("{" + jobPart + "\"job_desc\": \(description), \"config\": \(configText)}").utf8)
    }
}
