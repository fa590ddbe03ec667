import Foundation
import JSONTree
import Testing
@testable import ModelArts

/// Properties of the request validator over generated documents: valid requests pass and survive the
/// wire body unchanged, each broken field is reported once at its own path whatever else is broken, and
/// no document, however odd, traps.
@Suite struct RequestValidatorPropertyTests {
    static let cases = 400

    /// A random request the seed's rules accept.
    static func validRequest(_ random: inout PropertyRandom) -> [String: JSONValue] {
        let app = "/" + (0..<random.int(1...3)).map { _ in random.identifier() }.joined(separator: "/") + (random.bool() ? "/" : "")
        let boot = (app.hasSuffix("/") ? app : app + "/") + random.identifier() + ".py"
        var labels = Set<String>()
        let parameters: [JSONValue] = (0..<random.int(0...6)).compactMap { _ in
            let label = random.identifier()
            guard labels.insert(label).inserted else { return nil }
            return .object(["label": .string(label), "value": .string(random.text())])
        }
        var config: [String: JSONValue] = [
            "worker_server_num": .integer(Int64(random.int(1...64))),
            "app_url": .string(app), "boot_file_url": .string(boot),
            "parameter": .array(parameters),
            "spec_id": .integer(Int64(random.int(1...10_000))),
            "engine_id": .integer(Int64(random.int(1...500))),
            "train_url": .string("/" + random.identifier() + "/"),
            "pre_version_id": .integer(Int64.random(in: 1...Int64.max, using: &random)),
        ]
        if random.bool() {
            config["dataset_id"] = .string(UUID().uuidString.lowercased())
            config["dataset_version_id"] = .string(UUID().uuidString.lowercased())
        } else {
            config["data_url"] = .string("/" + random.identifier() + "/data/")
        }
        if random.bool() { config["log_url"] = .string("/" + random.identifier() + "/log/") }
        var root: [String: JSONValue] = ["config": .object(config)]
        if random.bool() { root["job_desc"] = .string(String(random.text(maxLength: 200).prefix(200))) }
        return root
    }

    @Test func validRequestsPassAndTheirWireBodyValidatesToTheSameRequest() throws {
        let seed = PropertyRandom.seed()
        var random = PropertyRandom(seed: seed)
        for index in 0..<Self.cases {
            let document = JSONValue.object(Self.validRequest(&random))
            guard case .success(let request) = CreateVersionRequest.validate(document) else {
                Issue.record("seed \(seed) case \(index): a valid request was refused: \(CreateVersionRequest.validate(document))")
                return
            }
            let again = CreateVersionRequest.validate(json: request.wireBody())
            #expect(again == .success(request), "seed \(seed) case \(index)")
        }
    }

    /// Fields whose type is fixed, and a value of another type for each.
    static let typedFields: [(key: String, wrong: [JSONValue])] = [
        ("worker_server_num", [.string("1"), .bool(true), .array([]), .number(1.5)]),
        ("spec_id", [.string("1"), .object([:]), .number(0.25)]),
        ("engine_id", [.string("x"), .bool(false)]),
        ("pre_version_id", [.string("20"), .array([.integer(20)])]),
        ("app_url", [.integer(1), .bool(true)]),
        ("boot_file_url", [.integer(2), .array([])]),
        ("train_url", [.integer(3), .object([:])]),
        ("parameter", [.string("lr=0.1"), .object([:])]),
    ]

    @Test func everyBrokenFieldIsReportedAtItsOwnPathAndNothingElse() throws {
        let seed = PropertyRandom.seed()
        var random = PropertyRandom(seed: seed)
        for index in 0..<Self.cases {
            var root = Self.validRequest(&random)
            guard case .object(var config)? = root["config"] else { return }
            let broken = Self.typedFields.filter { _ in random.int(0...2) == 0 }
            for field in broken { config[field.key] = random.pick(field.wrong) }
            root["config"] = .object(config)
            let reported: [String]
            switch CreateVersionRequest.validate(.object(root)) {
            case .success: reported = []
            case .failure(let error): reported = error.violations.map(\.field)
            }
            #expect(reported.sorted() == broken.map { "config." + $0.key }.sorted(), "seed \(seed) case \(index): \(root)")
        }
    }

    @Test func everyUnknownFieldIsReportedOnce() throws {
        let seed = PropertyRandom.seed()
        var random = PropertyRandom(seed: seed)
        for index in 0..<Self.cases {
            var root = Self.validRequest(&random)
            guard case .object(var config)? = root["config"] else { return }
            var added = Set<String>()
            for _ in 0..<random.int(0...4) {
                let key = "x_" + random.identifier()
                added.insert(key)
                config[key] = random.json(depth: 2)
            }
            root["config"] = .object(config)
            let fields = Self.fields(CreateVersionRequest.validate(.object(root)))
            #expect(fields.sorted() == added.map { "config." + $0 }.sorted(), "seed \(seed) case \(index)")
        }
    }

    @Test func arbitraryDocumentsAreRefusedWithReasonsAndNeverTrap() throws {
        let seed = PropertyRandom.seed()
        var random = PropertyRandom(seed: seed)
        for index in 0..<Self.cases * 5 {
            var document = random.json(depth: 5)
            // Half of them look like requests at the top.
            if random.bool() { document = .object(["job_desc": random.json(depth: 1), "config": random.json(depth: 3)]) }
            switch CreateVersionRequest.validate(document) {
            case .success(let request):
                Issue.record("seed \(seed) case \(index): an arbitrary document passed: \(request)")
            case .failure(let error):
                #expect(!error.violations.isEmpty, "seed \(seed) case \(index)")
                #expect(error.violations.allSatisfy { !$0.field.isEmpty && !$0.problem.isEmpty })
            }
        }
    }

    static func fields(_ result: Result<CreateVersionRequest, RequestValidationError>) -> [String] {
        switch result {
        case .success: []
        case .failure(let error): error.violations.map(\.field)
        }
    }
}
