import JSONTree
import Testing

@testable import trainq

/// `trainq submit --api v2 FILE --set ...` and `--from-job ID --set ...`: the same grammar, other places.
@Suite struct TrainingJobSweepTests {
    private let job: JSONValue = .object([
        "api": .string("v2"),
        "job": .object([
            "metadata": .object(["name": .string("run")]),
            "algorithm": .object(["parameters": .array([.object(["name": .string("lr"), "value": .string("0.01")])])]),
            "spec": .object(["resource": .object(["node_count": .integer(1)])]),
        ]),
    ])
    private let copy: JSONValue = .object(["api": .string("v2"), "from_job": .string("6c1e3a8f-2b4d-4e7a-9f10-3d5b7c9e1a20"), "overrides": .object([:])])

    @Test func aJobsFieldsAreSetInsideItAndParametersByName() throws {
        let sets = try ["algorithm.parameters.lr=0.1,0.5", "spec.resource.node_count=2", "algorithm.parameters.epochs=3"]
            .map { try SweepAssignment(parsing: $0, layout: .v2Job) }
        let documents = try SweepAssignment.expand(job, sets)
        #expect(documents.count == 2)
        let first = try #require(documents.first)
        #expect(first["job"]?["algorithm"]?["parameters"] == .array([
            .object(["name": .string("lr"), "value": .string("0.1")]), .object(["name": .string("epochs"), "value": .string("3")]),
        ]))
        #expect(first["job"]?["spec"]?["resource"]?["node_count"] == .integer(2))
        #expect(documents.last?["job"]?["algorithm"]?["parameters"]?.arrayValue?.first?["value"] == .string("0.5"))
        #expect(first["algorithm"] == nil)
    }

    /// A parameter's value is the text as written, as for a job; other values are JSON.
    @Test func aCopysFieldsAreOverridesKeyedByTheirWholePath() throws {
        let sets = try ["algorithm.parameters.lr=0.1,0.5", "spec.resource.node_count=2"].map { try SweepAssignment(parsing: $0, layout: .v2Copy) }
        let documents = try SweepAssignment.expand(copy, sets)
        #expect(documents.map { $0["overrides"] } == [
            .object(["algorithm.parameters.lr": .string("0.1"), "spec.resource.node_count": .integer(2)]),
            .object(["algorithm.parameters.lr": .string("0.5"), "spec.resource.node_count": .integer(2)]),
        ])
    }
}
