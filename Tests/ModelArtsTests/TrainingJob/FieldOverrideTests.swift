import JSONTree
import ModelArts
import Testing

@Suite struct FieldOverrideTests {
    @Test func aParameterIsSetByNameAsAStringOrAddedWhenNew() throws {
        let body = TrainingJobRequestTests.minimal
        let changed = try FieldOverride(path: "algorithm.parameters.learning_rate", value: .number(0.1)).apply(to: body)
        #expect(changed["algorithm"]?["parameters"] == .array([.object(["name": .string("learning_rate"), "value": .string("0.1")])]))
        let added = try FieldOverride(path: "algorithm.parameters.epochs", value: .integer(10)).apply(to: changed)
        #expect(added["algorithm"]?["parameters"]?.arrayValue?.last == .object(["name": .string("epochs"), "value": .string("10")]))
        #expect(throws: FieldOverrideError.self) { try FieldOverride(path: "algorithm.parameters.x", value: .array([])) }
        #expect(throws: FieldOverrideError.self) { try FieldOverride(path: "algorithm.parameters.a.b", value: .string("1")) }
    }

    @Test func pathsMakeObjectsIndexListsAndRefuseToGoThroughAScalar() throws {
        let body = TrainingJobRequestTests.minimal
        let nodes = try FieldOverride(path: "spec.resource.node_count", value: .integer(4)).apply(to: body)
        #expect(nodes["spec"]?["resource"]?["node_count"] == .integer(4))
        #expect(nodes["spec"]?["resource"]?["flavor_id"] == body["spec"]?["resource"]?["flavor_id"])
        let created = try FieldOverride(path: "spec.auto_stop.duration", value: .integer(2)).apply(to: body)
        #expect(created["spec"]?["auto_stop"] == .object(["duration": .integer(2)]))
        let input = try FieldOverride(path: "algorithm.inputs.0.remote.obs.obs_url", value: .string("/other/")).apply(to: body)
        #expect(input["algorithm"]?["inputs"]?.arrayValue?.first?["remote"]?["obs"]?["obs_url"] == .string("/other/"))
        #expect(throws: FieldOverrideError.self) { try FieldOverride(path: "algorithm.inputs.3.name", value: .string("x")).apply(to: body) }
        #expect(throws: FieldOverrideError.self) { try FieldOverride(path: "metadata.description.sub", value: .string("x")).apply(to: body) }
        #expect(throws: FieldOverrideError.self) { try FieldOverride(path: "spec..resource", value: .integer(1)) }
        #expect(throws: FieldOverrideError.self) { try FieldOverride(path: "", value: .integer(1)) }
    }
}
