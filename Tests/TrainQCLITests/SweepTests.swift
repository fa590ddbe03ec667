import JSONTree
import Testing

@testable import trainq

/// `trainq submit --set`: the grid a person writes, expanded as the Python client's `expand_sweep` does.
@Suite struct SweepTests {
    private let base: JSONValue = .object([
        "job_id": .integer(10),
        "config": .object([
            "worker_server_num": .integer(1),
            "parameter": .array([
                .object(["label": .string("learning_rate"), "value": .string("0.01")]),
                .object(["label": .string("batch_size"), "value": .string("32")]),
            ]),
        ]),
    ])

    private func expand(_ sets: [String]) throws -> [JSONValue] {
        try SweepAssignment.expand(base, sets.map { try SweepAssignment(parsing: $0) })
    }

    private func parameter(_ label: String, in document: JSONValue) -> JSONValue? {
        document["config"]?["parameter"]?.arrayValue?.first { $0["label"]?.stringValue == label }?["value"]
    }

    @Test func aGridIsEveryCombinationWithTheFirstSetVaryingSlowest() throws {
        let documents = try expand(["config.parameter.learning_rate=0.01,0.1,0.5", "config.worker_server_num=1,2"])
        #expect(documents.count == 6)
        let pairs = documents.map { (parameter("learning_rate", in: $0)?.stringValue ?? "?", $0["config"]?["worker_server_num"]?.int64Value ?? -1) }
        #expect(pairs.map(\.0) == ["0.01", "0.01", "0.1", "0.1", "0.5", "0.5"])
        #expect(pairs.map(\.1) == [1, 2, 1, 2, 1, 2])
        // Everything else is the request as written.
        #expect(documents.allSatisfy { parameter("batch_size", in: $0) == .string("32") && $0["job_id"] == .integer(10) })
    }

    @Test func oneValueOverridesAndValuesReadAsJSONOrText() throws {
        let documents = try expand([
            "config.worker_server_num=4", "config.train_url=/out/run-1/", "job_desc=\"a, b\"", "config.flags=[1,2]",
            "config.gpu=true",
        ])
        #expect(documents.count == 1)
        let config = documents[0]["config"]
        #expect(config?["worker_server_num"] == .integer(4))
        #expect(config?["train_url"] == .string("/out/run-1/"))
        #expect(documents[0]["job_desc"] == .string("a, b"))
        #expect(config?["flags"] == .array([.integer(1), .integer(2)]))
        #expect(config?["gpu"] == .bool(true))
    }

    @Test func runningParametersAreStringsAndNewLabelsAreAppended() throws {
        let documents = try expand(["config.parameter.epochs=10", "config.parameter.model.depth=\"deep\""])
        let parameters = try #require(documents.first?["config"]?["parameter"]?.arrayValue)
        #expect(parameters.map { $0["label"]?.stringValue ?? "" } == ["learning_rate", "batch_size", "epochs", "model.depth"])
        #expect(parameter("epochs", in: documents[0]) == .string("10"))
        #expect(parameter("model.depth", in: documents[0]) == .string("deep"))
    }

    @Test func commasInsideQuotesOrBracketsStayInOneValue() {
        #expect(SweepAssignment.splitValues(#"1,"a,b",[1,2],{"k":"v,w"}"#) == ["1", #""a,b""#, "[1,2]", #"{"k":"v,w"}"#])
        #expect(SweepAssignment.splitValues("") == [""])
    }

    @Test func mistakesAreUsageErrors() throws {
        for text in ["no-equals", "=1", "config..x=1"] {
            #expect(throws: CLIError.self) { try SweepAssignment(parsing: text) }
        }
        // A path through a number.
        #expect(throws: CLIError.self) { try expand(["config.worker_server_num.x=1"]) }
        // Over the batch limit: 11 × 10 × 10.
        let eleven = (0...10).map(String.init).joined(separator: ",")
        let ten = (0..<10).map(String.init).joined(separator: ",")
        #expect(throws: CLIError.self) {
            try expand(["config.a=\(eleven)", "config.b=\(ten)", "config.c=\(ten)"])
        }
        #expect(try expand(["config.a=\(ten)", "config.b=\(ten)", "config.c=\(ten)"]).count == 1000)
    }
}
