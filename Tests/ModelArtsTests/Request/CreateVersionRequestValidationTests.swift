import Foundation
import JSONTree
import Testing
@testable import ModelArts

@Suite struct CreateVersionRequestValidationTests {
    /// The sample request of the seed page, exactly as printed there.
    static let seedSample = """
        {
            "job_desc": "This is a ModelArts job",
            "config": {
                "worker_server_num": 1,
                "app_url": "/usr/app/",
                "boot_file_url": "/usr/app/boot.py",
                "parameter": [
                    {
                        "label": "learning_rate",
                        "value": "0.01"
                    },
                    {
                        "label": "batch_size",
                        "value": "32"
                    }
                ],
                "dataset_id": "38277e62-9e59-48f4-8d89-c8cf41622c24",
                "dataset_version_id": "2ff0d6ba-c480-45ae-be41-09a8369bfc90",
                "spec_id": 1,
                "engine_id": 1,
                "train_url": "/usr/train/",
                "log_url": "/usr/log/",
                "pre_version_id": 20
            }
        }
        """

    static func parse(_ text: String) throws -> JSONValue {
        try JSONValue.parse(Data(text.utf8))
    }

    /// The seed sample with `config` members replaced (`nil` removes a member).
    static func seed(config changes: [String: JSONValue?] = [:], top: [String: JSONValue?] = [:]) throws -> JSONValue {
        guard case .object(var root) = try parse(seedSample), case .object(var config) = root["config"] else {
            throw FixtureMissing(name: "seed sample")
        }
        for (key, value) in changes { config[key] = value }
        root["config"] = .object(config)
        for (key, value) in top { root[key] = value }
        return .object(root)
    }

    static func violations(_ document: JSONValue) -> [RequestValidationError.Violation] {
        switch CreateVersionRequest.validate(document) {
        case .success: []
        case .failure(let error): error.violations
        }
    }

    static func problems(_ document: JSONValue) -> [String: String] {
        Dictionary(violations(document).map { ($0.field, $0.problem) }, uniquingKeysWith: { $0 + " | " + $1 })
    }

    @Test func seedSampleIsAcceptedAsItStands() throws {
        let request = try CreateVersionRequest.validate(try Self.parse(Self.seedSample)).get()
        #expect(request.jobDesc == "This is a ModelArts job")
        #expect(request.config == TrainingConfig(
            workerServerNum: 1, appURL: "/usr/app/", bootFileURL: "/usr/app/boot.py",
            parameter: [Parameter(label: "learning_rate", value: "0.01"), Parameter(label: "batch_size", value: "32")],
            datasetID: "38277e62-9e59-48f4-8d89-c8cf41622c24", datasetVersionID: "2ff0d6ba-c480-45ae-be41-09a8369bfc90",
            specID: 1, engineID: 1, trainURL: "/usr/train/", logURL: "/usr/log/", preVersionID: 20))
    }

    @Test func minimalModelRequestWithPoolAndDataSource() throws {
        let document = try Self.parse("""
            {"config": {"worker_server_num": 2, "model_id": 9223372036854775807, "pool_id": "pool-1",
             "data_source": [{"type": "obs", "data_url": "/b/d/"}, {"type": "dataset", "dataset_id": "x", "dataset_version": "y"}],
             "train_url": "/b/out/", "pre_version_id": 1, "user_image_url": "swr/x:1", "user_command": "bash run.sh"}}
            """)
        let request = try CreateVersionRequest.validate(document).get()
        #expect(request.jobDesc == nil)
        #expect(request.config.modelID == Int64.max)
        #expect(request.config.dataSource == [.obs("/b/d/"), .dataset(id: "x", version: "y")])
        #expect(request.config.engineID == nil)
    }

    @Test func reportsEveryViolationAtOnce() throws {
        let document = try Self.parse("""
            {"job_desc": 5, "extra": true, "config": {
              "worker_server_num": "1", "app_url": "/usr/app/", "boot_file_url": "/elsewhere/boot.py",
              "parameter": [{"label": "a", "value": "1"}, {"label": "", "value": "2"}, {"label": "a", "value": "3"}, {"value": 4}],
              "data_url": "/d/", "dataset_id": "x",
              "spec_id": 1, "pool_id": "p", "train_url": "/t/", "user_command": "run", "colour": "red"}}
            """)
        let problems = Self.problems(document)
        #expect(problems["job_desc"] == "expected string, got integer")
        #expect(problems["extra"] == "unknown field")
        #expect(problems["config.colour"] == "unknown field")
        #expect(problems["config.worker_server_num"] == "expected integer, got string")
        #expect(problems["config.boot_file_url"] == "must lie inside app_url (/usr/app/)")
        #expect(problems["config.parameter[1].label"] == "must not be empty")
        #expect(problems["config.parameter[2].label"] == "duplicates config.parameter[0].label (\"a\")")
        #expect(problems["config.parameter[3].label"] == "is required")
        #expect(problems["config.parameter[3].value"] == "expected string, got integer")
        #expect(problems["config.dataset_version_id"] == "is required together with dataset_id")
        #expect(problems["config.pre_version_id"] == "is required")
        #expect(problems["config.user_command"] == "requires user_image_url")
        let configProblems = problems["config"] ?? ""
        #expect(configProblems.contains("only one data source may be given, found data_url, dataset_id/dataset_version_id"))
        #expect(configProblems.contains("spec_id and pool_id cannot be used together"))
    }

    @Test func missingConfigAndWrongRoot() throws {
        #expect(Self.problems(try Self.parse(#"{"job_desc": "x"}"#)) == ["config": "is required"])
        #expect(Self.problems(try Self.parse(#"{"config": []}"#)) == ["config": "expected object, got array"])
        #expect(Self.problems(try Self.parse(#"[1]"#)) == ["body": "expected object, got array"])
        #expect(Self.problems(try Self.parse(#"{"config": null}"#)) == ["config": "is required"])
    }

    @Test func emptyConfigNamesEveryRequirement() throws {
        let problems = Self.problems(try Self.parse(#"{"config": {}}"#))
        #expect(problems["config.worker_server_num"] == "is required")
        #expect(problems["config.pre_version_id"] == "is required")
        #expect(problems["config.train_url"] == "is required")
        let configProblems = problems["config"] ?? ""
        #expect(configProblems.contains("a data source is required"))
        #expect(configProblems.contains("code is required: model_id, or app_url with boot_file_url"))
        #expect(configProblems.contains("one of spec_id and pool_id is required"))
    }

    @Test func jobDescLengthLimit() throws {
        let ok = String(repeating: "a", count: 256)
        #expect(Self.violations(try Self.seed(top: ["job_desc": .string(ok)])).isEmpty)
        #expect(Self.problems(try Self.seed(top: ["job_desc": .string(ok + "b")]))
            == ["job_desc": "must be at most 256 characters, got 257"])
        #expect(Self.violations(try Self.seed(top: ["job_desc": .string("")])).isEmpty)
        #expect(Self.violations(try Self.seed(top: ["job_desc": .null])).isEmpty)
    }

    @Test func integerRules() throws {
        #expect(Self.problems(try Self.seed(config: ["worker_server_num": .integer(0)]))
            == ["config.worker_server_num": "must be a positive integer, got 0"])
        #expect(Self.problems(try Self.seed(config: ["spec_id": .integer(-3)]))
            == ["config.spec_id": "must be a positive integer, got -3"])
        #expect(Self.problems(try Self.seed(config: ["pre_version_id": .number(1.5)]))
            == ["config.pre_version_id": "expected integer, got number"])
        #expect(Self.problems(try Self.parse(Self.seedSample.replacingOccurrences(of: "\"pre_version_id\": 20", with: "\"pre_version_id\": 9223372036854775808")))
            == ["config.pre_version_id": "must be an integer that fits in 64 bits"])
        #expect(Self.problems(try Self.seed(config: ["engine_id": .bool(true)]))
            == ["config.engine_id": "expected integer, got boolean"])
    }

    @Test func codeRules() throws {
        #expect(Self.problems(try Self.seed(config: ["model_id": .integer(7)]))
            == ["config.app_url": "cannot be used together with model_id", "config.boot_file_url": "cannot be used together with model_id"])
        #expect(Self.violations(try Self.seed(config: ["model_id": .integer(7), "app_url": nil, "boot_file_url": nil])).isEmpty)
        #expect(Self.problems(try Self.seed(config: ["boot_file_url": nil]))
            == ["config.boot_file_url": "is required together with app_url"])
        #expect(Self.violations(try Self.seed(config: ["app_url": .string("/usr/app")])).isEmpty)
        #expect(Self.problems(try Self.seed(config: ["boot_file_url": .string("/usr/app/")]))
            == ["config.boot_file_url": "must lie inside app_url (/usr/app/)"])
        #expect(Self.problems(try Self.seed(config: ["boot_file_url": .string("/usr/application.py")]))
            == ["config.boot_file_url": "must lie inside app_url (/usr/app/)"])
    }

    @Test func dataSourceRules() throws {
        let withoutPair: [String: JSONValue?] = ["dataset_id": nil, "dataset_version_id": nil]
        func sources(_ json: String) throws -> [String: String] {
            var changes = withoutPair
            changes["data_source"] = try Self.parse(json)
            return Self.problems(try Self.seed(config: changes))
        }
        #expect(try sources(#"[{"type": "obs", "data_url": "/d/"}]"#).isEmpty)
        #expect(try sources(#"[]"#) == ["config.data_source": "must not be empty"])
        #expect(try sources(#"[{"type": "obs", "dataset_id": "x"}]"#) == [
            "config.data_source[0].data_url": "is required for type obs",
            "config.data_source[0].dataset_id": "cannot be used with type obs",
        ])
        #expect(try sources(#"[{"type": "dataset", "dataset_id": "x", "data_url": "/d/"}]"#) == [
            "config.data_source[0].dataset_version": "is required for type dataset",
            "config.data_source[0].data_url": "cannot be used with type dataset",
        ])
        #expect(try sources(#"[{"type": "nfs"}, {"data_url": "/d/"}, 3, {"type": "obs", "data_url": "/d/", "x": 1}]"#) == [
            "config.data_source[0].type": "must be obs or dataset, got \"nfs\"",
            "config.data_source[1].type": "is required (obs or dataset)",
            "config.data_source[2]": "expected object, got integer",
            "config.data_source[3].x": "unknown field",
        ])
        #expect(try sources(#"{"type": "obs"}"#) == ["config.data_source": "expected array, got object"])
        #expect(Self.problems(try Self.seed(config: ["dataset_id": nil])) == ["config.dataset_id": "is required together with dataset_version_id"])
        #expect(Self.violations(try Self.seed(config: ["dataset_id": nil, "dataset_version_id": nil, "data_url": .string("/d/")])).isEmpty)
    }

    @Test func fieldPrefixAndAllowedExtraKeys() throws {
        var document = try Self.seed(top: ["job_id": .integer(10), "project_id": .string("p")])
        guard case .object(var root) = document else { return }
        root["config"] = root["config"].map { value in
            guard case .object(var config) = value else { return value }
            config["spec_id"] = .string("1")
            return .object(config)
        }
        document = .object(root)
        let result = CreateVersionRequest.validate(document, fieldPrefix: "request", allowedExtraKeys: ["job_id", "project_id"])
        #expect(result == .failure(RequestValidationError(violations: [.init(field: "request.config.spec_id", problem: "expected integer, got string")])))
        let strict = CreateVersionRequest.validate(document)
        guard case .failure(let error) = strict else { Issue.record("expected failure"); return }
        #expect(error.violations.contains(.init(field: "job_id", problem: "unknown field")))
        #expect(error.violations.contains(.init(field: "project_id", problem: "unknown field")))
    }

    @Test func emptyStringsAreRejectedWhereAPathIsExpected() throws {
        #expect(Self.problems(try Self.seed(config: ["train_url": .string("")])) == ["config.train_url": "must not be empty"])
    }
}

@Suite struct CreateVersionRequestWireBodyTests {
    @Test func seedSampleWireBodyKeepsDocumentedOrderAndOnlyPresentFields() throws {
        let request = try CreateVersionRequest.validate(try CreateVersionRequestValidationTests.parse(CreateVersionRequestValidationTests.seedSample)).get()
        let body = String(decoding: request.wireBody(), as: UTF8.self)
        #expect(body == #"{"job_desc":"This is a ModelArts job","config":{"worker_server_num":1,"app_url":"/usr/app/","boot_file_url":"/usr/app/boot.py","parameter":[{"label":"learning_rate","value":"0.01"},{"label":"batch_size","value":"32"}],"dataset_id":"38277e62-9e59-48f4-8d89-c8cf41622c24","dataset_version_id":"2ff0d6ba-c480-45ae-be41-09a8369bfc90","spec_id":1,"engine_id":1,"train_url":"/usr/train/","log_url":"/usr/log/","pre_version_id":20}}"#)
        // It is valid JSON that validates back to the same request.
        #expect(try CreateVersionRequest.validate(try JSONValue.parse(request.wireBody())).get() == request)
        #expect(try JSONValue.parse(request.wireBody()) == request.jsonValue)
    }

    @Test func escapingAndNonASCII() throws {
        let request = CreateVersionRequest(
            jobDesc: "夜间 \"训练\"\\\n\u{01}/",
            config: TrainingConfig(workerServerNum: 1, modelID: 3, trainURL: "/t/", preVersionID: 2))
        let body = String(decoding: request.wireBody(), as: UTF8.self)
        #expect(body == #"{"job_desc":"夜间 \"训练\"\\\n\u0001/","config":{"worker_server_num":1,"model_id":3,"train_url":"/t/","pre_version_id":2}}"#)
        #expect(try JSONValue.parse(request.wireBody())["job_desc"] == .string("夜间 \"训练\"\\\n\u{01}/"))
    }

    @Test func descriptionMarkerFitsOrIsRefused() {
        let config = TrainingConfig(workerServerNum: 1, modelID: 3, trainURL: "/t/", preVersionID: 2)
        let plain = CreateVersionRequest(jobDesc: nil, config: config)
        #expect(plain.withDescriptionMarker(" [trainq:01J]")?.jobDesc == " [trainq:01J]")
        let described = CreateVersionRequest(jobDesc: "nightly", config: config)
        #expect(described.withDescriptionMarker(" [trainq:01J]")?.jobDesc == "nightly [trainq:01J]")
        let full = CreateVersionRequest(jobDesc: String(repeating: "x", count: 250), config: config)
        #expect(full.withDescriptionMarker("123456")?.jobDesc?.count == 256)
        #expect(full.withDescriptionMarker("1234567") == nil)
        let emoji = CreateVersionRequest(jobDesc: String(repeating: "😀", count: 128), config: config)
        #expect(emoji.withDescriptionMarker("x") == nil)
    }
}

@Suite struct CreateVersionRequestParsingTests {
    @Test func bytesThatAreNotJSON() {
        guard case .failure(let error) = CreateVersionRequest.validate(json: Data(#"{"config": "#.utf8)) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.violations.count == 1)
        #expect(error.violations.first?.field == "body")
        #expect(error.violations.first?.problem.hasPrefix("not valid JSON") == true)
        #expect(CreateVersionRequest.validate(json: Data("[]".utf8), fieldPrefix: "request")
            == .failure(RequestValidationError(violations: [.init(field: "request", problem: "expected object, got array")])))
    }

    @Test func seedBytesValidate() throws {
        let request = try CreateVersionRequest.validate(json: Data(CreateVersionRequestValidationTests.seedSample.utf8)).get()
        #expect(request.config.preVersionID == 20)
    }
}

@Suite struct VersionRequestMatchingTests {
    static let request = CreateVersionRequest(
        jobDesc: "nightly [trainq:01J]",
        config: TrainingConfig(
            workerServerNum: 1, appURL: "/usr/app/", bootFileURL: "/usr/app/boot.py",
            parameter: [Parameter(label: "lr", value: "0.01"), Parameter(label: "bs", value: "32")],
            dataURL: "/usr/data/", specID: 1, trainURL: "/usr/train/", preVersionID: 20))

    static func version(_ json: String) throws -> VersionDetail {
        try VersionDetail.decode(Data(json.utf8))
    }

    @Test func echoedVersionMatches() throws {
        let version = try Self.version("""
            {"version_id": 21, "status": 1, "job_desc": "nightly [trainq:01J]", "pre_version_id": 20, "worker_server_num": 1,
             "app_url": "/usr/app/", "boot_file_url": "/usr/app/boot.py", "engine_id": 1, "spec_id": "1",
             "parameter": [{"label": "bs", "value": 32}, {"label": "lr", "value": "0.01"}],
             "data_url": "/usr/data/", "train_url": "/usr/train/"}
            """)
        #expect(version.conflicts(with: Self.request).isEmpty)
    }

    @Test func differencesAreNamed() throws {
        let version = try Self.version("""
            {"version_id": 22, "status": 1, "job_desc": "other", "pre_version_id": 21, "worker_server_num": 2,
             "parameter": [{"label": "lr", "value": "0.1"}, {"label": "bs", "value": "32"}], "train_url": "/usr/train/"}
            """)
        #expect(version.conflicts(with: Self.request) == ["job_desc", "pre_version_id", "worker_server_num", "parameter"])
    }

    @Test func absentFieldsProveNothing() throws {
        #expect(try Self.version(#"{"version_id": 23, "status": 1}"#).conflicts(with: Self.request).isEmpty)
    }
}
