import JSONTree
import ModelArts
import Testing

@Suite struct TrainingJobRequestTests {
    /// The minimal body of errata §4.2, with real-looking values.
    static let minimal: JSONValue = .object([
        "metadata": .object(["name": .string("retrain-a"), "description": .string("retrain of job A")]),
        "algorithm": .object([
            "code_dir": .string("/bucket/app/"), "boot_file": .string("/bucket/app/boot.py"),
            "engine": .object(["engine_name": .string("PyTorch"), "engine_version": .string("2.1")]),
            "parameters": .array([.object(["name": .string("learning_rate"), "value": .string("0.01")])]),
            "inputs": .array([.object(["name": .string("data_url"), "remote": .object(["obs": .object(["obs_url": .string("/bucket/data/")])])])]),
            "outputs": .array([.object(["name": .string("train_url"), "remote": .object(["obs": .object(["obs_url": .string("/bucket/out/")])])])]),
        ]),
        "spec": .object(["resource": .object(["flavor_id": .string("modelarts.vm.cpu.2u"), "node_count": .integer(1)])]),
    ])

    static func fields(_ document: JSONValue) -> [String] {
        guard case .failure(let error) = TrainingJobRequest.validate(document) else { return [] }
        return error.violations.map(\.field)
    }

    static func changed(_ path: String, _ value: JSONValue) throws -> JSONValue {
        try FieldOverride(path: path, value: value).apply(to: minimal)
    }

    @Test func theMinimalBodyValidatesGetsKindJobAndGoesOutUnderTheGivenName() throws {
        let request = try TrainingJobRequest.validate(Self.minimal).get()
        #expect(request.baseName == "retrain-a")
        #expect(request.body["kind"] == .string("job"))
        let wire = request.wireBody(name: "retrain-a-0123456789abcdef")
        #expect(wire["metadata"]?["name"] == .string("retrain-a-0123456789abcdef"))
        #expect(wire["metadata"]?["description"] == .string("retrain of job A"))
        #expect(wire["algorithm"] == Self.minimal["algorithm"])
    }

    @Test func everyMistakeIsNamedByItsPathAtOnce() {
        let document: JSONValue = .object([
            "kind": .string("edge_job"),
            "tasks": .array([]),
            "colour": .string("red"),
            "metadata": .object(["name": .string("has space"), "description": .string(String(repeating: "d", count: 257))]),
            "algorithm": .object([
                "id": .string("algo"), "code_dir": .string("/b/"),
                "engine": .object(["engine_id": .integer(5)]),
                "parameters": .array([
                    .object(["label": .string("lr"), "value": .string("1")]),
                    .object(["name": .string("x"), "value": .integer(2)]),
                    .object(["name": .string("x"), "value": .string("3")]),
                ]),
                "inputs": .array([.object(["name": .string("data_url")])]),
                "outputs": .array([.object(["name": .string("out"), "remote": .object(["dataset": .object(["id": .string("d"), "version_id": .string("v")])])])]),
                "environments": .object(["1BAD": .string("x"), "PATH_EXT": .string("$HOME/bin")]),
                "local_code_dir": .string("/home/ma-user/modelarts/code"),
            ]),
            "spec": .object([
                "resource": .object(["node_count": .integer(0)]),
                "auto_stop": .object(["duration": .integer(2)]),
                "schedule_policy": .object(["priority": .integer(4)]),
            ]),
        ])
        let fields = Self.fields(document)
        for expected in [
            "job.kind", "job.tasks", "job.colour", "job.metadata.name", "job.metadata.description",
            "job.algorithm.boot_file", "job.algorithm", "job.algorithm.engine.engine_id",
            "job.algorithm.parameters[0].label", "job.algorithm.parameters[0].name", "job.algorithm.parameters[1].value",
            "job.algorithm.parameters[2].name", "job.algorithm.inputs[0].remote", "job.algorithm.outputs[0].remote.obs.obs_url",
            "job.algorithm.environments.1BAD", "job.algorithm.environments.PATH_EXT", "job.algorithm.local_code_dir",
            "job.spec.resource", "job.spec.resource.node_count", "job.spec.auto_stop.time_unit", "job.spec.schedule_policy.priority",
        ] {
            #expect(fields.contains(expected), "\(expected) not in \(fields)")
        }
    }

    @Test func theRequiredPartsAreNamedWhenMissing() {
        #expect(Self.fields(.object([:])) == ["job.metadata", "job.algorithm", "job.spec"])
        #expect(Self.fields(.array([])) == ["job"])
        #expect(Self.fields(.object(["metadata": .object([:]), "algorithm": .object(["id": .string("a")]), "spec": .object(["resource": .object(["pool_id": .string("p")])])])) == ["job.metadata.name"])
    }

    @Test func fullLengthNamesAndLimitsAreAcceptedOneMoreIsNot() throws {
        let name64 = String(repeating: "n", count: 64)
        #expect(Self.fields(try Self.changed("metadata.name", .string(name64))) == [])
        #expect(throws: FieldOverrideError.self) { try FieldOverride(path: "metadata.name", value: .string(name64 + "n")) }
        #expect(Self.fields(try Self.changed("metadata.description", .string(String(repeating: "é", count: 256)))) == [])
        var environments: [String: JSONValue] = [:]
        for index in 0..<100 { environments["VAR_\(index)"] = .string(String(repeating: "v", count: 4096)) }
        #expect(Self.fields(try Self.changed("algorithm.environments", .object(environments))) == [])
        environments["VAR_100"] = .string("x")
        #expect(Self.fields(try Self.changed("algorithm.environments", .object(environments))) == ["job.algorithm.environments"])
    }

    @Test func aCustomImageNeedsItsCommandAndTheFormsExcludeEachOther() throws {
        var algorithm = Self.minimal["algorithm"]?.objectValue ?? [:]
        algorithm["code_dir"] = nil
        algorithm["boot_file"] = nil
        algorithm["engine"] = .object(["image_url": .string("swr.example/org/image:1")])
        let image = try FieldOverride(path: "algorithm", value: .object(algorithm)).apply(to: Self.minimal)
        #expect(Self.fields(image) == ["job.algorithm.command"])
        #expect(Self.fields(try FieldOverride(path: "algorithm.command", value: .string("python train.py")).apply(to: image)) == [])
        #expect(Self.fields(try Self.changed("algorithm.id", .string("algorithm-1"))) == ["job.algorithm"])
        #expect(Self.fields(try Self.changed("spec.auto_stop", .object(["time_unit": .string("HOURS"), "duration": .integer(3)]))) == [])
    }
}
