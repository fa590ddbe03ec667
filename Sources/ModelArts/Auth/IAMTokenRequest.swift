import Foundation
import JSONTree
import NIOHTTP1

/// The IAM password-auth exchange (reference §5.1): the request body, and reading the token and its
/// expiry from the answer. Pure, so it is unit-tested without a server.
enum IAMTokenRequest {
    /// `{"auth":{"identity":{"methods":["password"],"password":{"user":{...}}},"scope":{"project":{...}}}}`
    static func body(_ credentials: IAMPasswordCredentials) -> Data {
        let project: JSONValue = switch credentials.project {
        case .name(let name): .object(["name": .string(name)])
        case .id(let id): .object(["id": .string(id)])
        }
        let document: JSONValue = .object([
            "auth": .object([
                "identity": .object([
                    "methods": .array([.string("password")]),
                    "password": .object([
                        "user": .object([
                            "name": .string(credentials.user),
                            "password": .string(credentials.password),
                            "domain": .object(["name": .string(credentials.domain)]),
                        ]),
                    ]),
                ]),
                "scope": .object(["project": project]),
            ]),
        ])
        return document.canonicalData()
    }

    /// The token from `X-Subject-Token` and the expiry from `token.expires_at`.
    static func token(from response: HTTPTransport.Response) throws(WireDecodingError) -> IAMToken {
        guard let value = response.headers.first(name: "X-Subject-Token"), !value.isEmpty else {
            throw WireDecodingError(context: "IAM token response", problem: "missing X-Subject-Token header")
        }
        let object = try LenientObject(body: response.body, context: "IAM token response")
        guard let token = object.members["token"]?.objectValue else {
            throw WireDecodingError(context: "IAM token response", problem: "missing token object")
        }
        guard let text = token["expires_at"]?.stringValue else {
            throw WireDecodingError(context: "IAM token response", problem: "missing token.expires_at")
        }
        guard let expiresAt = parseTimestamp(text) else {
            throw WireDecodingError(context: "IAM token response", problem: "token.expires_at is not a timestamp: \(text)")
        }
        return IAMToken(value: value, expiresAt: expiresAt)
    }

    /// ISO 8601 as IAM writes it: `2015-11-09T01:42:57.527363Z`, any number of fraction digits, `Z` or an
    /// offset `±HH:MM`.
    static func parseTimestamp(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                fraction += Double(bytes[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard bytes.count == index + 6, bytes[index + 3] == UInt8(ascii: ":"),
                  let hours = number(index + 1..<index + 3), let minutes = number(index + 4..<index + 6)
            else { return nil }
            offsetSeconds = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? .current
        guard let base = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)),
              calendar.component(.day, from: base) == day
        else { return nil }
        return base.addingTimeInterval(fraction - Double(offsetSeconds))
    }
}
