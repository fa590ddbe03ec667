import Foundation
import JSONTree

/// The v2 requests the official Python SDK built and signed (`scripts/sdk_v2_fixtures.py`), committed
/// as `Fixtures/sdk-v2-requests.json`.
struct SDKV2Fixture {
    struct Recorded {
        var name: String
        var method: String
        var path: String
        var headers: [(String, String)]
        var body: String
        var expectedStatus: Int
    }

    var document: JSONValue
    var accessKey: String
    var secretKey: String
    var xSdkDate: String
    var fixtureJobID: String
    var jobName: String
    var createBody: JSONValue
    var requests: [Recorded]
    /// Per call, the response fields the SDK's response models always set.
    var requiredResponseFields: [String: [String]]

    static func load() throws -> SDKV2Fixture {
        guard let url = Bundle.module.url(forResource: "sdk-v2-requests", withExtension: "json", subdirectory: "Fixtures") else {
            throw FixtureMissing(name: "sdk-v2-requests.json")
        }
        let document = try JSONValue.parse(try Data(contentsOf: url))
        func string(_ key: String) throws -> String {
            guard let value = document[key]?.stringValue else { throw FixtureMissing(name: "sdk-v2-requests.json: \(key)") }
            return value
        }
        let requests = (document["requests"]?.arrayValue ?? []).map { request in
            Recorded(
                name: request["name"]?.stringValue ?? "",
                method: request["method"]?.stringValue ?? "",
                path: request["path"]?.stringValue ?? "",
                // Header order as recorded does not matter to the signature; names sorted for stable runs.
                headers: (request["headers"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value.stringValue ?? "") },
                body: request["body"]?.stringValue ?? "",
                expectedStatus: Int(request["expected_status"]?.int64Value ?? 0)
            )
        }
        let required = (document["required_response_fields"]?.objectValue ?? [:]).mapValues { paths in
            paths.arrayValue?.compactMap(\.stringValue) ?? []
        }
        return SDKV2Fixture(
            document: document, accessKey: try string("ak"), secretKey: try string("sk"), xSdkDate: try string("x_sdk_date"),
            fixtureJobID: try string("fixture_job_id"), jobName: try string("job_name"), createBody: document["create_body"] ?? .null,
            requests: requests, requiredResponseFields: required)
    }

    /// Epoch milliseconds of an `X-Sdk-Date` (`yyyyMMdd'T'HHmmss'Z'`, UTC).
    static func epochMilliseconds(ofSDKDate text: String) -> Int64? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.date(from: text).map { Int64($0.timeIntervalSince1970 * 1_000) }
    }

    /// The paths of `required` missing from `answer`: a path is checked in every element of a list on the
    /// way, and is moot where a parent along it is absent (the SDK only requires it where the parent is).
    static func missingFields(_ required: [String], in answer: JSONValue) -> [String] {
        required.filter { path in
            let keys = path.split(separator: ".").map(String.init)
            return isMissing(keys[...], in: answer)
        }
    }

    private static func isMissing(_ keys: ArraySlice<String>, in value: JSONValue) -> Bool {
        if let elements = value.arrayValue { return elements.contains { isMissing(keys, in: $0) } }
        guard let key = keys.first, let members = value.objectValue else { return false }
        guard let child = members[key], child != .null else { return keys.count == 1 }
        return keys.count > 1 && isMissing(keys.dropFirst(), in: child)
    }
}

struct FixtureMissing: Error {
    var name: String
}
