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
    private var reader: FieldReader
    var violations: [RequestValidationError.Violation] { reader.violations }

    init(prefix: String) {
        reader = FieldReader(prefix: prefix)
    }

    // MARK: - Document

    mutating func request(_ document: JSONValue, allowedExtraKeys: Set<String>) -> CreateVersionRequest? {
        guard let root = document.objectValue else {
            reader.report(reader.prefix.isEmpty ? "body" : reader.prefix, "expected object, got \(document.typeName)")
            return nil
        }
        reader.rejectUnknownKeys(root, known: ["job_desc", "config"], extra: allowedExtraKeys, at: nil)
        let jobDesc = reader.string(root, "job_desc", at: nil, allowEmpty: true)
        if let jobDesc, CreateVersionRequest.descriptionLength(jobDesc) > CreateVersionRequest.maxJobDescLength {
            reader.report(reader.path(nil, "job_desc"), "must be at most \(CreateVersionRequest.maxJobDescLength) characters, got \(CreateVersionRequest.descriptionLength(jobDesc))")
        }
        guard let configValue = reader.present(root, "config") else {
            reader.report(reader.path(nil, "config"), "is required")
            return nil
        }
        guard let config = configValue.objectValue else {
            reader.report(reader.path(nil, "config"), "expected object, got \(configValue.typeName)")
            return nil
        }
        guard let trainingConfig = self.config(config, at: reader.path(nil, "config")) else { return nil }
        return CreateVersionRequest(jobDesc: jobDesc, config: trainingConfig)
    }

    // MARK: - config

    private mutating func config(_ object: [String: JSONValue], at configPath: String) -> TrainingConfig? {
        reader.rejectUnknownKeys(object, known: Set(TrainingConfig.fieldNames), extra: [], at: configPath)

        let workerServerNum = reader.requiredInteger(object, "worker_server_num", at: configPath, minimum: 1)
        let appURL = reader.string(object, "app_url", at: configPath)
        let bootFileURL = reader.string(object, "boot_file_url", at: configPath)
        let parameters = parameterList(object, at: configPath)
        let dataURL = reader.string(object, "data_url", at: configPath)
        let datasetID = reader.string(object, "dataset_id", at: configPath)
        let datasetVersionID = reader.string(object, "dataset_version_id", at: configPath)
        let dataSources = dataSourceList(object, at: configPath)
        let specID = reader.integer(object, "spec_id", at: configPath, minimum: 1)
        let poolID = reader.string(object, "pool_id", at: configPath)
        let engineID = reader.integer(object, "engine_id", at: configPath, minimum: 1)
        let modelID = reader.integer(object, "model_id", at: configPath, minimum: 1)
        let trainURL = reader.string(object, "train_url", at: configPath)
        let logURL = reader.string(object, "log_url", at: configPath)
        let preVersionID = reader.requiredInteger(object, "pre_version_id", at: configPath, minimum: 1)
        let userImageURL = reader.string(object, "user_image_url", at: configPath)
        let userCommand = reader.string(object, "user_command", at: configPath)

        if reader.present(object, "train_url") == nil { reader.report(reader.path(configPath, "train_url"), "is required") }

        // Exactly one data source: data_url, the dataset pair, or data_source.
        let hasDatasetPair = reader.present(object, "dataset_id") != nil || reader.present(object, "dataset_version_id") != nil
        var sources: [String] = []
        if reader.present(object, "data_url") != nil { sources.append("data_url") }
        if hasDatasetPair { sources.append("dataset_id/dataset_version_id") }
        if reader.present(object, "data_source") != nil { sources.append("data_source") }
        if sources.isEmpty {
            reader.report(configPath, "a data source is required: data_url, dataset_id with dataset_version_id, or data_source")
        } else if sources.count > 1 {
            reader.report(configPath, "only one data source may be given, found \(sources.joined(separator: ", "))")
        }
        reader.requireTogether(object, "dataset_id", "dataset_version_id", at: configPath)

        // Code: a built-in model, or a code directory with its boot file.
        let hasCodeDirectory = reader.present(object, "app_url") != nil || reader.present(object, "boot_file_url") != nil
        if reader.present(object, "model_id") != nil {
            for key in ["app_url", "boot_file_url"] where reader.present(object, key) != nil {
                reader.report(reader.path(configPath, key), "cannot be used together with model_id")
            }
        } else if !hasCodeDirectory {
            reader.report(configPath, "code is required: model_id, or app_url with boot_file_url")
        }
        reader.requireTogether(object, "app_url", "boot_file_url", at: configPath)
        if let appURL, let bootFileURL, !appURL.isEmpty, !Self.isInside(bootFileURL, directory: appURL) {
            reader.report(reader.path(configPath, "boot_file_url"), "must lie inside app_url (\(appURL))")
        }

        // Resources: a public flavor or a dedicated pool, not both.
        switch (reader.present(object, "spec_id") != nil, reader.present(object, "pool_id") != nil) {
        case (true, true): reader.report(configPath, "spec_id and pool_id cannot be used together")
        case (false, false): reader.report(configPath, "one of spec_id and pool_id is required")
        default: break
        }

        if reader.present(object, "user_command") != nil, reader.present(object, "user_image_url") == nil {
            reader.report(reader.path(configPath, "user_command"), "requires user_image_url")
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
        guard let elements = reader.array(object, "parameter", at: configPath) else { return nil }
        let listPath = reader.path(configPath, "parameter")
        var parameters: [Parameter] = []
        var firstIndexOfLabel: [String: Int] = [:]
        for (index, element) in elements.enumerated() {
            let elementPath = "\(listPath)[\(index)]"
            guard let entry = element.objectValue else {
                reader.report(elementPath, "expected object, got \(element.typeName)")
                continue
            }
            reader.rejectUnknownKeys(entry, known: ["label", "value"], extra: [], at: elementPath)
            let label = reader.string(entry, "label", at: elementPath, allowEmpty: true)
            let value = reader.string(entry, "value", at: elementPath, allowEmpty: true)
            if reader.present(entry, "label") == nil { reader.report(reader.path(elementPath, "label"), "is required") }
            if reader.present(entry, "value") == nil { reader.report(reader.path(elementPath, "value"), "is required") }
            if let label {
                if label.isEmpty {
                    reader.report(reader.path(elementPath, "label"), "must not be empty")
                } else if let first = firstIndexOfLabel[label] {
                    reader.report(reader.path(elementPath, "label"), "duplicates \(listPath)[\(first)].label (\"\(label)\")")
                } else {
                    firstIndexOfLabel[label] = index
                }
            }
            if let label, let value { parameters.append(Parameter(label: label, value: value)) }
        }
        return parameters
    }

    private mutating func dataSourceList(_ object: [String: JSONValue], at configPath: String) -> [DataSource]? {
        guard let elements = reader.array(object, "data_source", at: configPath) else { return nil }
        let listPath = reader.path(configPath, "data_source")
        if elements.isEmpty { reader.report(listPath, "must not be empty") }
        var sources: [DataSource] = []
        for (index, element) in elements.enumerated() {
            let elementPath = "\(listPath)[\(index)]"
            guard let entry = element.objectValue else {
                reader.report(elementPath, "expected object, got \(element.typeName)")
                continue
            }
            reader.rejectUnknownKeys(entry, known: ["type", "data_url", "dataset_id", "dataset_version"], extra: [], at: elementPath)
            let typeName = reader.string(entry, "type", at: elementPath)
            let dataURL = reader.string(entry, "data_url", at: elementPath)
            let datasetID = reader.string(entry, "dataset_id", at: elementPath)
            let datasetVersion = reader.string(entry, "dataset_version", at: elementPath)
            guard reader.present(entry, "type") != nil else {
                reader.report(reader.path(elementPath, "type"), "is required (obs or dataset)")
                continue
            }
            guard let typeName else { continue }
            guard let kind = DataSource.Kind(rawValue: typeName) else {
                reader.report(reader.path(elementPath, "type"), "must be obs or dataset, got \"\(typeName)\"")
                continue
            }
            switch kind {
            case .obs:
                if reader.present(entry, "data_url") == nil { reader.report(reader.path(elementPath, "data_url"), "is required for type obs") }
                for key in ["dataset_id", "dataset_version"] where reader.present(entry, key) != nil {
                    reader.report(reader.path(elementPath, key), "cannot be used with type obs")
                }
            case .dataset:
                for key in ["dataset_id", "dataset_version"] where reader.present(entry, key) == nil {
                    reader.report(reader.path(elementPath, key), "is required for type dataset")
                }
                if reader.present(entry, "data_url") != nil { reader.report(reader.path(elementPath, "data_url"), "cannot be used with type dataset") }
            }
            sources.append(DataSource(type: kind, dataURL: dataURL, datasetID: datasetID, datasetVersion: datasetVersion))
        }
        return sources
    }
}
