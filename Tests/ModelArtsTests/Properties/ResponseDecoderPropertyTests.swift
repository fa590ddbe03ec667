import Foundation
import JSONTree
import Testing
@testable import ModelArts

/// Properties of the lenient response decoders over generated answers: a number reads the same whether the
/// service sends it as a number, a string or an integral fraction; embedded JSON reads the same as a
/// string or as itself; and no body, however broken, does anything but decode or throw a `WireDecodingError`.
@Suite struct ResponseDecoderPropertyTests {
    static let cases = 400

    /// One integer the way the service might send it.
    static func spelled(_ value: Int64, _ random: inout PropertyRandom) -> JSONValue {
        switch random.int(0...3) {
        case 0: .integer(value)
        case 1: .string(String(value))
        case 2: .string(" \(value) ")
        default: abs(value) < 1 << 52 ? .number(Double(value)) : .integer(value)
        }
    }

    static let integerKeys = ["version_id", "pre_version_id", "job_id", "create_time", "duration", "engine_id", "spec_id", "worker_server_num"]

    @Test func numbersReadTheSameHoweverTheyAreSpelled() throws {
        let seed = PropertyRandom.seed()
        var random = PropertyRandom(seed: seed)
        for index in 0..<Self.cases {
            var plain: [String: JSONValue] = ["status": .integer(Int64(random.int(0...21)))]
            var odd = plain
            odd["status"] = Self.spelled(plain["status"]?.int64Value ?? 0, &random)
            for key in Self.integerKeys where random.int(0...3) > 0 {
                let value = Int64.random(in: 0...Int64.max, using: &random)
                plain[key] = .integer(value)
                odd[key] = Self.spelled(value, &random)
            }
            let metrics = JSONValue.object(["loss": .number(0.5), "steps": .array([.integer(1), .integer(2)])])
            plain["system_metric_list"] = metrics
            odd["system_metric_list"] = .string(String(decoding: metrics.canonicalData(), as: UTF8.self))
            var expected = try VersionDetail(LenientObject(plain, context: "plain"))
            var actual = try VersionDetail(LenientObject(odd, context: "odd"))
            expected.raw = [:]
            actual.raw = [:]
            #expect(actual == expected, "seed \(seed) case \(index): \(odd)")

            // The create answer reads its version id the same way.
            let versionID = Int64.random(in: 1...Int64.max, using: &random)
            let response = try CreateVersionResponse(LenientObject(["version_id": Self.spelled(versionID, &random)], context: "create"))
            #expect(response.versionID == versionID, "seed \(seed) case \(index)")
        }
    }

    @Test func arbitraryJSONDecodesOrThrowsAWireDecodingError() {
        let seed = PropertyRandom.seed()
        var random = PropertyRandom(seed: seed)
        for index in 0..<Self.cases * 5 {
            var value = random.json(depth: 4)
            if random.bool(), case .object(var members) = value {
                // Often with the keys the decoders look for, holding anything at all.
                for key in ["status", "version_id", "versions", "jobs", "parameter", "data_source", "system_metric_list", "version_count"] where random.bool() {
                    members[key] = random.json(depth: 2)
                }
                value = .object(members)
            }
            let body = value.canonicalData()
            let detail = Result { () throws(WireDecodingError) in try VersionDetail.decode(body) }
            let created = Result { () throws(WireDecodingError) in try CreateVersionResponse.decode(body) }
            _ = Result { () throws(WireDecodingError) in try VersionList.decode(body) }
            _ = Result { () throws(WireDecodingError) in try JobList.decode(body) }
            _ = FailureEnvelope.parse(body)
            // Success exactly when the one required field reads as an integer.
            let status = value["status"].flatMap(LenientObject.int64(from:)).flatMap { Int(exactly: $0) }
            #expect(((try? detail.get()) != nil) == (status != nil), "seed \(seed) case \(index): \(value)")
            let versionID = value["version_id"].flatMap(LenientObject.int64(from:))
            #expect((try? created.get())?.versionID == versionID, "seed \(seed) case \(index): \(value)")
        }
    }

    @Test func brokenBodiesThrowAndNeverTrap() {
        let seed = PropertyRandom.seed()
        var random = PropertyRandom(seed: seed)
        let sample = Data(#"{"version_id": 21, "version_name": "V0002", "status": 1, "job_id": 10, "create_time": 1732700000000}"#.utf8)
        for index in 0..<Self.cases * 5 {
            var bytes = Array(sample)
            switch random.int(0...2) {
            case 0: bytes = Array(bytes.prefix(random.int(0...(bytes.count - 1))))
            case 1: for _ in 0..<random.int(1...6) { bytes[random.int(0...(bytes.count - 1))] = UInt8.random(in: 0...255, using: &random) }
            default: bytes = (0..<random.int(0...64)).map { _ in UInt8.random(in: 0...255, using: &random) }
            }
            let body = Data(bytes)
            let parsed = (try? JSONValue.parse(body)) != nil
            do {
                _ = try CreateVersionResponse.decode(body)
                #expect(parsed, "seed \(seed) case \(index): bytes that are not JSON decoded")
            } catch {
                #expect(!error.problem.isEmpty, "seed \(seed) case \(index)")
            }
        }
    }
}
