import JSONTree

extension CreateVersionRequest {
    /// Validates the caller's raw document `{"job_desc"?, "config"}` against the seed's rules and reports
    /// every violation at once.
    ///
    /// - Parameters:
    ///   - fieldPrefix: prepended (with a `.`) to every field path, for documents nested in a larger one.
    ///   - allowedExtraKeys: top-level keys the caller validates itself (e.g. `project_id`, `job_id`);
    ///     they are neither rejected nor read here.
    ///
    /// An explicit `null` counts as absent for optional fields. How strictly the real service enforces the
    /// exclusivity rules is UNVERIFIED; we enforce them all, which is the safe side for a queue that cannot
    /// ask a person before sending.
    public static func validate(
        _ document: JSONValue,
        fieldPrefix: String = "",
        allowedExtraKeys: Set<String> = []
    ) -> Result<CreateVersionRequest, RequestValidationError> {
        var validator = RequestValidator(prefix: fieldPrefix)
        let request = validator.request(document, allowedExtraKeys: allowedExtraKeys)
        if let request, validator.violations.isEmpty { return .success(request) }
        return .failure(RequestValidationError(violations: validator.violations))
    }
}

/// Walks a document once, recording violations as it goes. Each rule is checked independently so one
/// mistake never hides another.
struct RequestValidator {
    private(set) var violations: [RequestValidationError.Violation] = []
    private let prefix: String

    init(prefix: String) {
        self.prefix = prefix
    }

    // MARK: - Document

    mutating func request(_ document: JSONValue, allowedExtraKeys: Set<String>) -> CreateVersionRequest? {
        guard let root = document.objectValue else {
            report(prefix.isEmpty ? "body" : prefix, "expected object, got \(document.typeName)")
            return nil
        }
        rejectUnknownKeys(root, known: ["job_desc", "config"], extra: allowedExtraKeys, at: nil)
        let jobDesc = string(root, "job_desc", at: nil, allowEmpty: true)
        if let jobDesc, CreateVersionRequest.descriptionLength(jobDesc) > CreateVersionRequest.maxJobDescLength {
            report(path(nil, "job_desc"), "must be at most \(CreateVersionRequest.maxJobDescLength) characters, got \(CreateVersionRequest.descriptionLength(jobDesc))")
        }
        guard let configValue = present(root, "config") else {
            report(path(nil, "config"), "is required")
            return nil
        }
        guard let config = configValue.objectValue else {
            report(path(nil, "config"), "expected object, got \(configValue.typeName)")
            return nil
        }
        guard let trainingConfig = self.config(config, at: path(nil, "config")) else { return nil }
        return CreateVersionRequest(jobDesc: jobDesc, config: trainingConfig)
    }

    // MARK: - config

    private mutating func config(_ object: [String: JSONValue], at configPath: String) -> TrainingConfig? {
        rejectUnknownKeys(object, known: Set(TrainingConfig.fieldNames), extra: [], at: configPath)

        let workerServerNum = requiredInteger(object, "worker_server_num", at: configPath, minimum: 1)
        let appURL = string(object, "app_url", at: configPath)
        let bootFileURL = string(object, "boot_file_url", at: configPath)
        let parameters = parameterList(object, at: configPath)
        let dataURL = string(object, "data_url", at: configPath)
        let datasetID = string(object, "dataset_id", at: configPath)
        let datasetVersionID = string(object, "dataset_version_id", at: configPath)
        let dataSources = dataSourceList(object, at: configPath)
        let specID = integer(object, "spec_id", at: configPath, minimum: 1)
        let poolID = string(object, "pool_id", at: configPath)
        let engineID = integer(object, "engine_id", at: configPath, minimum: 1)
        let modelID = integer(object, "model_id", at: configPath, minimum: 1)
        let trainURL = string(object, "train_url", at: configPath)
        let logURL = string(object, "log_url", at: configPath)
        let preVersionID = requiredInteger(object, "pre_version_id", at: configPath, minimum: 1)
        let userImageURL = string(object, "user_image_url", at: configPath)
        let userCommand = string(object, "user_command", at: configPath)

        if present(object, "train_url") == nil { report(path(configPath, "train_url"), "is required") }

        // Exactly one data source: data_url, the dataset pair, or data_source.
        let hasDatasetPair = present(object, "dataset_id") != nil || present(object, "dataset_version_id") != nil
        var sources: [String] = []
        if present(object, "data_url") != nil { sources.append("data_url") }
        if hasDatasetPair { sources.append("dataset_id/dataset_version_id") }
        if present(object, "data_source") != nil { sources.append("data_source") }
        if sources.isEmpty {
            report(configPath, "a data source is required: data_url, dataset_id with dataset_version_id, or data_source")
        } else if sources.count > 1 {
            report(configPath, "only one data source may be given, found \(sources.joined(separator: ", "))")
        }
        requireTogether(object, "dataset_id", "dataset_version_id", at: configPath)

        // Code: a built-in model, or a code directory with its boot file.
        let hasCodeDirectory = present(object, "app_url") != nil || present(object, "boot_file_url") != nil
        if present(object, "model_id") != nil {
            for key in ["app_url", "boot_file_url"] where present(object, key) != nil {
                report(path(configPath, key), "cannot be used together with model_id")
            }
        } else if !hasCodeDirectory {
            report(configPath, "code is required: model_id, or app_url with boot_file_url")
        }
        requireTogether(object, "app_url", "boot_file_url", at: configPath)
        if let appURL, let bootFileURL, !appURL.isEmpty, !Self.isInside(bootFileURL, directory: appURL) {
            report(path(configPath, "boot_file_url"), "must lie inside app_url (\(appURL))")
        }

        // Resources: a public flavor or a dedicated pool, not both.
        switch (present(object, "spec_id") != nil, present(object, "pool_id") != nil) {
        case (true, true): report(configPath, "spec_id and pool_id cannot be used together")
        case (false, false): report(configPath, "one of spec_id and pool_id is required")
        default: break
        }

        if present(object, "user_command") != nil, present(object, "user_image_url") == nil {
            report(path(configPath, "user_command"), "requires user_image_url")
        }

        guard let workerServerNum, let preVersionID, let trainURL else { return nil }
        return TrainingConfig(
            workerServerNum: workerServerNum, appURL: appURL, bootFileURL: bootFileURL, parameter: parameters,
            dataURL: dataURL, datasetID: datasetID, datasetVersionID: datasetVersionID, dataSource: dataSources,
            specID: specID, poolID: poolID, engineID: engineID, modelID: modelID, trainURL: trainURL,
            logURL: logURL, preVersionID: preVersionID, userImageURL: userImageURL, userCommand: userCommand
        )
    }

    /// `boot_file_url` names a file below `app_url` (a directory, with or without its trailing slash).
    static func isInside(_ file: String, directory: String) -> Bool {
        let directory = directory.hasSuffix("/") ? directory : directory + "/"
        return file.hasPrefix(directory) && file.count > directory.count
    }

    private mutating func parameterList(_ object: [String: JSONValue], at configPath: String) -> [Parameter]? {
        guard let elements = array(object, "parameter", at: configPath) else { return nil }
        let listPath = path(configPath, "parameter")
        var parameters: [Parameter] = []
        var firstIndexOfLabel: [String: Int] = [:]
        for (index, element) in elements.enumerated() {
            let elementPath = "\(listPath)[\(index)]"
            guard let entry = element.objectValue else {
                report(elementPath, "expected object, got \(element.typeName)")
                continue
            }
            rejectUnknownKeys(entry, known: ["label", "value"], extra: [], at: elementPath)
            let label = string(entry, "label", at: elementPath, allowEmpty: true)
            let value = string(entry, "value", at: elementPath, allowEmpty: true)
            if present(entry, "label") == nil { report(path(elementPath, "label"), "is required") }
            if present(entry, "value") == nil { report(path(elementPath, "value"), "is required") }
            if let label {
                if label.isEmpty {
                    report(path(elementPath, "label"), "must not be empty")
                } else if let first = firstIndexOfLabel[label] {
                    report(path(elementPath, "label"), "duplicates \(listPath)[\(first)].label (\"\(label)\")")
                } else {
                    firstIndexOfLabel[label] = index
                }
            }
            if let label, let value { parameters.append(Parameter(label: label, value: value)) }
        }
        return parameters
    }

    private mutating func dataSourceList(_ object: [String: JSONValue], at configPath: String) -> [DataSource]? {
        guard let elements = array(object, "data_source", at: configPath) else { return nil }
        let listPath = path(configPath, "data_source")
        if elements.isEmpty { report(listPath, "must not be empty") }
        var sources: [DataSource] = []
        for (index, element) in elements.enumerated() {
            let elementPath = "\(listPath)[\(index)]"
            guard let entry = element.objectValue else {
                report(elementPath, "expected object, got \(element.typeName)")
                continue
            }
            rejectUnknownKeys(entry, known: ["type", "data_url", "dataset_id", "dataset_version"], extra: [], at: elementPath)
            let typeName = string(entry, "type", at: elementPath)
            let dataURL = string(entry, "data_url", at: elementPath)
            let datasetID = string(entry, "dataset_id", at: elementPath)
            let datasetVersion = string(entry, "dataset_version", at: elementPath)
            guard present(entry, "type") != nil else {
                report(path(elementPath, "type"), "is required (obs or dataset)")
                continue
            }
            guard let typeName else { continue }
            guard let kind = DataSource.Kind(rawValue: typeName) else {
                report(path(elementPath, "type"), "must be obs or dataset, got \"\(typeName)\"")
                continue
            }
            switch kind {
            case .obs:
                if present(entry, "data_url") == nil { report(path(elementPath, "data_url"), "is required for type obs") }
                for key in ["dataset_id", "dataset_version"] where present(entry, key) != nil {
                    report(path(elementPath, key), "cannot be used with type obs")
                }
            case .dataset:
                for key in ["dataset_id", "dataset_version"] where present(entry, key) == nil {
                    report(path(elementPath, key), "is required for type dataset")
                }
                if present(entry, "data_url") != nil { report(path(elementPath, "data_url"), "cannot be used with type dataset") }
            }
            sources.append(DataSource(type: kind, dataURL: dataURL, datasetID: datasetID, datasetVersion: datasetVersion))
        }
        return sources
    }

    // MARK: - Typed field access

    /// A member that is there and not `null`.
    private func present(_ object: [String: JSONValue], _ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    private mutating func string(
        _ object: [String: JSONValue], _ key: String, at parent: String?, allowEmpty: Bool = false
    ) -> String? {
        guard let value = present(object, key) else { return nil }
        guard let string = value.stringValue else {
            report(path(parent, key), "expected string, got \(value.typeName)")
            return nil
        }
        if !allowEmpty, string.isEmpty {
            report(path(parent, key), "must not be empty")
            return nil
        }
        return string
    }

    private mutating func array(_ object: [String: JSONValue], _ key: String, at parent: String) -> [JSONValue]? {
        guard let value = present(object, key) else { return nil }
        guard let elements = value.arrayValue else {
            report(path(parent, key), "expected array, got \(value.typeName)")
            return nil
        }
        return elements
    }

    private mutating func integer(
        _ object: [String: JSONValue], _ key: String, at parent: String, minimum: Int64
    ) -> Int64? {
        guard let value = present(object, key) else { return nil }
        let field = path(parent, key)
        switch value {
        case .integer(let integer):
            guard integer >= minimum else {
                report(field, minimum == 1 ? "must be a positive integer, got \(integer)" : "must be at least \(minimum), got \(integer)")
                return nil
            }
            return integer
        case .number(let number) where number.rounded() == number && number.isFinite:
            report(field, "must be an integer that fits in 64 bits")
            return nil
        default:
            report(field, "expected integer, got \(value.typeName)")
            return nil
        }
    }

    private mutating func requiredInteger(
        _ object: [String: JSONValue], _ key: String, at parent: String, minimum: Int64
    ) -> Int64? {
        guard present(object, key) != nil else {
            report(path(parent, key), "is required")
            return nil
        }
        return integer(object, key, at: parent, minimum: minimum)
    }

    private mutating func requireTogether(_ object: [String: JSONValue], _ first: String, _ second: String, at parent: String) {
        switch (present(object, first) != nil, present(object, second) != nil) {
        case (true, false): report(path(parent, second), "is required together with \(first)")
        case (false, true): report(path(parent, first), "is required together with \(second)")
        default: break
        }
    }

    private mutating func rejectUnknownKeys(
        _ object: [String: JSONValue], known: Set<String>, extra: Set<String>, at parent: String?
    ) {
        for key in object.keys.sorted() where !known.contains(key) && !extra.contains(key) {
            report(path(parent, key), "unknown field")
        }
    }

    // MARK: - Paths

    private func path(_ parent: String?, _ key: String) -> String {
        if let parent { return parent + "." + key }
        return prefix.isEmpty ? key : prefix + "." + key
    }

    private mutating func report(_ field: String, _ problem: String) {
        violations.append(.init(field: field, problem: problem))
    }
}
