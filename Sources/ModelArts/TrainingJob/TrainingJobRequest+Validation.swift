import JSONTree

extension TrainingJobRequest {
    /// Fields of each object that the SDK (3.1.219) and the API reference define for a create body. An
    /// unknown key is a typo until shown otherwise: ModelArts would ignore it and run the wrong job.
    static let knownKeys: [String: Set<String>] = [
        "": ["kind", "metadata", "algorithm", "spec", "tasks", "endpoints", "train_type", "ftjob_config"],
        "metadata": ["name", "workspace_id", "description", "annotations", "training_experiment_reference"],
        "algorithm": [
            "id", "subscription_id", "item_version_id", "code_dir", "boot_file", "command", "engine", "parameters",
            "inputs", "outputs", "environments", "local_code_dir", "working_dir", "summary",
        ],
        "algorithm.engine": ["engine_id", "engine_name", "engine_version", "image_url", "install_sys_packages", "image_repo_id"],
        "spec": [
            "resource", "volumes", "log_export_path", "auto_stop", "schedule_policy", "notification", "retention",
            "reserved_time", "log_export_config", "custom_metrics", "output_model", "asset_model", "asset_id",
            "runtime_type",
        ],
        "spec.resource": ["flavor_id", "node_count", "pool_id", "pool_group_id", "main_container_customized_flavor"],
    ]

    static let maxDescriptionLength = 256
    static let maxEnvironmentCount = 100
    static let notificationEvents: Set<String> = [
        "JobStarted", "JobCompleted", "JobFailed", "JobTerminated", "JobRestarted", "JobHanged", "JobPreempted",
    ]

    /// Validates a v2 job body and reports every violation at once, each named by its path under
    /// `fieldPrefix` (`job.algorithm.inputs[0].remote`).
    ///
    /// The documented "one of" rules are prose, not schema (errata §4.2, [Medium]); trainq enforces them,
    /// which is the safe side for a queue that cannot ask a person before it sends.
    public static func validate(_ document: JSONValue, fieldPrefix: String = "job") -> Result<TrainingJobRequest, RequestValidationError> {
        var validator = TrainingJobValidator(prefix: fieldPrefix)
        let request = validator.request(document)
        if let request, validator.reader.violations.isEmpty { return .success(request) }
        return .failure(RequestValidationError(violations: validator.reader.violations))
    }
}

/// Walks a v2 body once; each rule is checked on its own so that one mistake never hides another.
struct TrainingJobValidator {
    var reader: FieldReader

    init(prefix: String) {
        reader = FieldReader(prefix: prefix)
    }

    private func at(_ relative: String) -> String {
        if relative.isEmpty { return reader.prefix }
        return reader.prefix.isEmpty ? relative : reader.prefix + "." + relative
    }

    private mutating func checkKeys(_ object: [String: JSONValue], _ relative: String) {
        reader.rejectUnknownKeys(
            object, known: TrainingJobRequest.knownKeys[relative] ?? [], extra: [], at: relative.isEmpty ? nil : at(relative))
    }

    /// A required or optional member that must be an object.
    private mutating func object(_ parent: [String: JSONValue], _ key: String, at relative: String, required: Bool) -> [String: JSONValue]? {
        let field = at(relative.isEmpty ? key : relative + "." + key)
        guard let value = reader.present(parent, key) else {
            if required { reader.report(field, "is required") }
            return nil
        }
        guard let object = value.objectValue else {
            reader.report(field, "expected object, got \(value.typeName)")
            return nil
        }
        return object
    }

    mutating func request(_ document: JSONValue) -> TrainingJobRequest? {
        guard var root = document.objectValue else {
            reader.report(at(""), "expected object, got \(document.typeName)")
            return nil
        }
        checkKeys(root, "")
        if reader.present(root, "tasks") != nil {
            reader.report(at("tasks"), "is not implemented by ModelArts; describe the job with spec")
        }
        if let kind = reader.string(root, "kind", at: nil) {
            if kind != "job" { reader.report(at("kind"), "trainq creates jobs of kind \"job\" only, got \"\(kind)\"") }
        } else if root["kind"] == nil || root["kind"] == .null {
            root["kind"] = .string("job")
        }
        let baseName = metadata(object(root, "metadata", at: "", required: true))
        if let algorithm = object(root, "algorithm", at: "", required: true) { self.algorithm(algorithm) }
        if let spec = object(root, "spec", at: "", required: true) { self.spec(spec) }
        guard let baseName else { return nil }
        return TrainingJobRequest(body: .object(root), baseName: baseName)
    }

    // MARK: - metadata

    private mutating func metadata(_ metadata: [String: JSONValue]?) -> String? {
        guard let metadata else { return nil }
        checkKeys(metadata, "metadata")
        let nameField = at("metadata.name")
        var baseName: String?
        if let name = reader.string(metadata, "name", at: at("metadata")) {
            if TrainingJobRequest.isValidName(name) {
                baseName = name
            } else {
                reader.report(nameField, "must be 1-64 characters of letters, digits, '_' and '-', got \"\(name)\"")
            }
        } else if reader.present(metadata, "name") == nil {
            reader.report(nameField, "is required")
        }
        _ = reader.string(metadata, "workspace_id", at: at("metadata"))
        maxLength(metadata, "description", at: "metadata", TrainingJobRequest.maxDescriptionLength)
        stringMap(metadata, "annotations", at: "metadata")
        if let reference = object(metadata, "training_experiment_reference", at: "metadata", required: false) {
            let parent = at("metadata.training_experiment_reference")
            reader.rejectUnknownKeys(reference, known: ["id", "name", "description"], extra: [], at: parent)
            _ = reader.string(reference, "id", at: parent)
            maxLength(reference, "name", at: "metadata.training_experiment_reference", 64)
            maxLength(reference, "description", at: "metadata.training_experiment_reference", TrainingJobRequest.maxDescriptionLength)
            if reader.present(reference, "id") == nil, reader.present(reference, "name") == nil {
                reader.report(parent, "needs id (to join an experiment) or name (to create one)")
            }
        }
        return baseName
    }

    // MARK: - algorithm

    private mutating func algorithm(_ algorithm: [String: JSONValue]) {
        let parent = at("algorithm")
        checkKeys(algorithm, "algorithm")
        for key in ["id", "subscription_id", "item_version_id", "code_dir", "boot_file", "command", "local_code_dir", "working_dir"] {
            _ = reader.string(algorithm, key, at: parent)
        }
        reader.requireTogether(algorithm, "subscription_id", "item_version_id", at: parent)
        reader.requireTogether(algorithm, "code_dir", "boot_file", at: parent)

        let engine = object(algorithm, "engine", at: "algorithm", required: false)
        if let engine { self.engine(engine) }
        let customImage = engine.map { reader.present($0, "image_url") != nil && reader.present($0, "engine_name") == nil } ?? false
        if customImage, reader.present(algorithm, "command") == nil {
            // The service answers 400 ModelArts.2806 without it.
            reader.report(at("algorithm.command"), "is required with a custom image (engine.image_url)")
        }
        let forms = ["id", "subscription_id", "code_dir"].filter { reader.present(algorithm, $0) != nil }
        if forms.count > 1 {
            reader.report(parent, "takes one of id, subscription_id + item_version_id, or code_dir + boot_file; got \(forms.joined(separator: " and "))")
        } else if forms.isEmpty, !customImage {
            reader.report(parent, "needs what to run: id, subscription_id + item_version_id, code_dir + boot_file, or engine.image_url + command")
        }
        if let localCodeDir = reader.present(algorithm, "local_code_dir")?.stringValue, !Self.isAllowedLocalCodeDir(localCodeDir) {
            reader.report(at("algorithm.local_code_dir"), "must be under /home and outside /home/ma-user and its modelarts, modelarts-dev and infer folders")
        }
        parameters(algorithm)
        channels(algorithm, "inputs", datasetAllowed: true)
        channels(algorithm, "outputs", datasetAllowed: false)
        environments(algorithm)
        if let summary = object(algorithm, "summary", at: "algorithm", required: false) {
            let summaryField = at("algorithm.summary")
            if let logType = reader.string(summary, "log_type", at: summaryField) {
                if !["tensorboard", "mindstudio-insight"].contains(logType) {
                    reader.report(summaryField + ".log_type", "must be tensorboard or mindstudio-insight, got \"\(logType)\"")
                }
                if summary["log_dir"]?["pfs"]?["pfs_path"]?.stringValue == nil {
                    reader.report(summaryField + ".log_dir.pfs.pfs_path", "is required when log_type is set")
                }
            }
        }
    }

    private mutating func engine(_ engine: [String: JSONValue]) {
        let parent = at("algorithm.engine")
        checkKeys(engine, "algorithm.engine")
        for key in ["engine_id", "engine_name", "engine_version", "image_url", "image_repo_id"] {
            _ = reader.string(engine, key, at: parent)
        }
        reader.requireTogether(engine, "engine_name", "engine_version", at: parent)
        let hasID = reader.present(engine, "engine_id") != nil
        if hasID, reader.present(engine, "engine_name") != nil || reader.present(engine, "image_url") != nil {
            reader.report(parent, "takes one of engine_id, engine_name + engine_version, or image_url")
        }
        if !hasID, reader.present(engine, "engine_name") == nil, reader.present(engine, "image_url") == nil {
            reader.report(parent, "needs engine_id, engine_name + engine_version, or image_url")
        }
        if let install = reader.present(engine, "install_sys_packages") {
            if install.boolValue == nil { reader.report(parent + ".install_sys_packages", "expected boolean, got \(install.typeName)") }
            if reader.present(engine, "engine_name") == nil || reader.present(engine, "image_url") == nil {
                reader.report(parent + ".install_sys_packages", "needs engine_name, engine_version and image_url")
            }
        }
    }

    /// `parameters[{name, value}]`: the v2 key is `name` (v1 said `label`); values are strings.
    private mutating func parameters(_ algorithm: [String: JSONValue]) {
        namedEntries(algorithm, "parameters", known: ["name", "value", "description", "constraint", "i18n_description"], duplicate: "parameter") {
            validator, parameter, field in
            if parameter["label"] != nil { validator.reader.report(field + ".label", "v2 parameters take name, not label") }
            _ = validator.reader.string(parameter, "value", at: field, allowEmpty: true)
            _ = validator.reader.string(parameter, "description", at: field, allowEmpty: true)
        }
    }

    /// A list of objects under `algorithm` that each need a unique `name`: every element is an object with
    /// known keys and a name no other element has; `each` checks the rest of it.
    private mutating func namedEntries(
        _ algorithm: [String: JSONValue], _ key: String, known: Set<String>, duplicate: String,
        each: (inout TrainingJobValidator, [String: JSONValue], String) -> Void
    ) {
        let parent = at("algorithm")
        guard let entries = reader.array(algorithm, key, at: parent) else { return }
        var seen: Set<String> = []
        for (index, element) in entries.enumerated() {
            let field = "\(parent).\(key)[\(index)]"
            guard let entry = element.objectValue else {
                reader.report(field, "expected object, got \(element.typeName)")
                continue
            }
            reader.rejectUnknownKeys(entry, known: known, extra: [], at: field)
            if let name = reader.string(entry, "name", at: field) {
                if !seen.insert(name).inserted { reader.report(field + ".name", "duplicates \(duplicate) \"\(name)\"") }
            } else if reader.present(entry, "name") == nil {
                reader.report(field + ".name", "is required")
            }
            each(&self, entry, field)
        }
    }

    /// `inputs[]` and `outputs[]`: a name each (unique) and where the data lives.
    private mutating func channels(_ algorithm: [String: JSONValue], _ key: String, datasetAllowed: Bool) {
        namedEntries(algorithm, key, known: ["name", "remote", "local_dir", "access_method", "description"], duplicate: "\(key) name") {
            validator, channel, field in
            validator.channel(channel, at: field, datasetAllowed: datasetAllowed)
        }
    }

    private mutating func channel(_ channel: [String: JSONValue], at field: String, datasetAllowed: Bool) {
        _ = reader.string(channel, "local_dir", at: field)
        if let access = reader.string(channel, "access_method", at: field), !["parameter", "env"].contains(access) {
            reader.report(field + ".access_method", "must be parameter or env, got \"\(access)\"")
        }
        guard let remote = reader.present(channel, "remote") else {
            reader.report(field + ".remote", "is required")
            return
        }
        let hasOBS = remote["obs"]?["obs_url"]?.stringValue?.isEmpty == false
        let dataset = remote["dataset"]
        let hasDataset = dataset?["id"]?.stringValue != nil && dataset?["version_id"]?.stringValue != nil
        if datasetAllowed {
            if hasOBS == hasDataset {
                reader.report(field + ".remote", "needs exactly one of obs.obs_url or dataset{id, version_id}")
            }
        } else if !hasOBS {
            reader.report(field + ".remote.obs.obs_url", "is required")
        }
    }

    /// `environments`: at most 100 pairs; names of letters, digits and `_` that do not start with a
    /// digit; no `$` references, which ModelArts does not expand.
    private mutating func environments(_ algorithm: [String: JSONValue]) {
        guard let environments = object(algorithm, "environments", at: "algorithm", required: false) else { return }
        let parent = at("algorithm.environments")
        if environments.count > TrainingJobRequest.maxEnvironmentCount {
            reader.report(parent, "holds at most \(TrainingJobRequest.maxEnvironmentCount) variables, got \(environments.count)")
        }
        for key in environments.keys.sorted() {
            let field = parent + "." + key
            let bytes = Array(key.utf8)
            let validName = !bytes.isEmpty && bytes.count <= 8192 && !(48...57).contains(bytes[0])
                && bytes.allSatisfy { TrainingJobRequest.isNameByte($0) && $0 != 45 }
            if !validName { reader.report(field, "a variable name is letters, digits and '_', not starting with a digit") }
            guard let value = environments[key]?.stringValue else {
                reader.report(field, "expected string, got \(environments[key]?.typeName ?? "nothing")")
                continue
            }
            if value.unicodeScalars.count > 4096 { reader.report(field, "must be at most 4096 characters, got \(value.unicodeScalars.count)") }
            if value.contains("$") { reader.report(field, "ModelArts does not expand $ references") }
        }
    }

    static func isAllowedLocalCodeDir(_ path: String) -> Bool {
        guard path.hasPrefix("/home/") else { return false }
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        if trimmed == "/home/ma-user" { return false }
        for reserved in ["/home/ma-user/modelarts", "/home/ma-user/modelarts-dev", "/home/ma-user/infer"]
        where trimmed == reserved || trimmed.hasPrefix(reserved + "/") {
            return false
        }
        return true
    }

    // MARK: - spec

    private mutating func spec(_ spec: [String: JSONValue]) {
        checkKeys(spec, "spec")
        if let resource = object(spec, "resource", at: "spec", required: true) {
            let parent = at("spec.resource")
            checkKeys(resource, "spec.resource")
            let flavor = reader.string(resource, "flavor_id", at: parent)
            let pool = reader.string(resource, "pool_id", at: parent)
            if flavor == nil, pool == nil, reader.present(resource, "flavor_id") == nil, reader.present(resource, "pool_id") == nil {
                reader.report(parent, "needs flavor_id (a public pool) or pool_id (a dedicated pool)")
            }
            _ = reader.integer(resource, "node_count", at: parent, minimum: 1)
        }
        if let logExport = object(spec, "log_export_path", at: "spec", required: false) {
            _ = reader.string(logExport, "obs_url", at: at("spec.log_export_path"))
        }
        if let autoStop = object(spec, "auto_stop", at: "spec", required: false) {
            let parent = at("spec.auto_stop")
            if let unit = reader.string(autoStop, "time_unit", at: parent) {
                if unit != "HOURS" { reader.report(parent + ".time_unit", "must be HOURS, got \"\(unit)\"") }
            } else if reader.present(autoStop, "time_unit") == nil {
                reader.report(parent + ".time_unit", "is required")
            }
            _ = reader.requiredInteger(autoStop, "duration", at: parent, minimum: 1)
        }
        if let policy = object(spec, "schedule_policy", at: "spec", required: false),
            let priority = reader.integer(policy, "priority", at: at("spec.schedule_policy"), minimum: 1), priority > 3
        {
            reader.report(at("spec.schedule_policy.priority"), "must be 1, 2 or 3, got \(priority)")
        }
        if let notification = object(spec, "notification", at: "spec", required: false),
            let events = reader.array(notification, "events", at: at("spec.notification"))
        {
            for (index, event) in events.enumerated() where !TrainingJobRequest.notificationEvents.contains(event.stringValue ?? "") {
                reader.report(at("spec.notification.events[\(index)]"), "must be one of \(TrainingJobRequest.notificationEvents.sorted().joined(separator: ", "))")
            }
        }
    }

    // MARK: - Shared shapes

    private mutating func maxLength(_ object: [String: JSONValue], _ key: String, at relative: String, _ limit: Int) {
        // Counted in Unicode scalars, as JSON Schema's maxLength counts them.
        guard let string = reader.string(object, key, at: at(relative), allowEmpty: true), string.unicodeScalars.count > limit else { return }
        reader.report(at(relative + "." + key), "must be at most \(limit) characters, got \(string.unicodeScalars.count)")
    }

    private mutating func stringMap(_ parent: [String: JSONValue], _ key: String, at relative: String) {
        guard let map = object(parent, key, at: relative, required: false) else { return }
        for (entry, value) in map.sorted(by: { $0.key < $1.key }) where value.stringValue == nil {
            reader.report(at(relative + "." + key) + "." + entry, "expected string, got \(value.typeName)")
        }
    }
}
