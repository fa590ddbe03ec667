import JSONTree
import ModelArts
import Testing

@Suite struct TrainingJobCopyTests {
    /// A show answer in the shape of errata §4.3: the request's fields plus what the service adds.
    static let shown: JSONValue = .object([
        "kind": .string("job"),
        "metadata": .object([
            "id": .string("6c1e3a8f-2b4d-4e7a-9f10-3d5b7c9e1a20"), "name": .string("old-run"), "create_time": .integer(1_700_000_000_000),
            "user_name": .string("alice"), "workspace_id": .string("0"), "description": .string("the original"),
            "training_experiment_reference": .object(["id": .string("exp-1"), "name": .string("exp"), "serial_number": .string("3")]),
        ]),
        "status": .object(["phase": .string("Completed"), "secondary_phase": .string("Completed"), "duration": .integer(5)]),
        "algorithm": .object([
            "code_dir": .string("/b/app/"), "boot_file": .string("/b/app/train.py"),
            "engine": .object(["engine_id": .string("pytorch-2.1"), "engine_name": .string("PyTorch"), "engine_version": .string("2.1"), "image_url": .string("swr/x:1")]),
            "parameters": .array([.object(["name": .string("lr"), "value": .string("0.01"), "constraint": .object(["type": .string("String")])])]),
            "environments": .array([.object(["A": .string("1")]), .object(["B": .string("2")])]),
            "inputs": .array([.object(["name": .string("data_url"), "remote": .object(["obs": .object(["obs_url": .string("/b/data/")])]), "local_dir": .string("/home/ma-user/modelarts/inputs/data_url_0")])]),
        ]),
        "spec": .object([
            "resource": .object(["flavor_id": .string("modelarts.vm.cpu.2u"), "flavor_name": .string("CPU"), "node_count": .integer(1), "policy": .string("regular"), "flavor_detail": .object([:])]),
            "log_export_path": .object(["obs_url": .string("/b/log/")]),
        ]),
        "endpoints": .object(["ssh": .object(["key_pair_names": .array([.string("kp")]), "task_urls": .array([])]), "jupyter_lab": .object(["url": .string("https://x")])]),
    ])

    @Test func aCopyKeepsTheRequestFieldsDropsTheServicesAndValidates() throws {
        let copy = try TrainingJobCopy.body(copying: Self.shown, overrides: [], name: "copy-6c1e3a8f-0123456789abcdef")
        #expect(copy["metadata"] == .object([
            "name": .string("copy-6c1e3a8f-0123456789abcdef"), "workspace_id": .string("0"), "description": .string("the original"),
            "training_experiment_reference": .object(["id": .string("exp-1")]),
        ]))
        #expect(copy["status"] == nil)
        #expect(copy["algorithm"]?["engine"] == .object(["engine_id": .string("pytorch-2.1")]))
        #expect(copy["algorithm"]?["environments"] == .object(["A": .string("1"), "B": .string("2")]))
        #expect(copy["algorithm"]?["parameters"] == .array([.object(["name": .string("lr"), "value": .string("0.01")])]))
        #expect(copy["spec"]?["resource"] == .object(["flavor_id": .string("modelarts.vm.cpu.2u"), "node_count": .integer(1)]))
        #expect(copy["endpoints"] == .object(["ssh": .object(["key_pair_names": .array([.string("kp")])])]))
        #expect((try? TrainingJobRequest.validate(copy).get()) != nil)
    }

    @Test func overridesChangeOnlyTheirFieldsAndTheNameIsAlwaysTrainqs() throws {
        let overrides = [
            try FieldOverride(path: "algorithm.parameters.lr", value: .string("0.1")),
            try FieldOverride(path: "spec.resource.node_count", value: .integer(2)),
            try FieldOverride(path: "metadata.name", value: .string("ignored")),
        ]
        let plain = try TrainingJobCopy.body(copying: Self.shown, overrides: [], name: "n-1")
        let copy = try TrainingJobCopy.body(copying: Self.shown, overrides: overrides, name: "n-1")
        #expect(copy["metadata"]?["name"] == .string("n-1"))
        #expect(copy["algorithm"]?["parameters"] == .array([.object(["name": .string("lr"), "value": .string("0.1")])]))
        #expect(copy["spec"]?["resource"]?["node_count"] == .integer(2))
        // Everything else is the plain copy.
        var rest = copy.objectValue ?? [:]
        var plainRest = plain.objectValue ?? [:]
        for key in ["algorithm", "spec"] {
            rest[key] = nil
            plainRest[key] = nil
        }
        #expect(rest == plainRest)
        #expect(copy["algorithm"]?["inputs"] == plain["algorithm"]?["inputs"])
        #expect(copy["spec"]?["log_export_path"] == plain["spec"]?["log_export_path"])
    }
}
