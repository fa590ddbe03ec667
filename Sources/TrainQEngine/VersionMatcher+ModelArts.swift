import Foundation
import ModelArts

extension ConfigurationFingerprint {
    /// The compared fields of a request's `config`.
    public init(_ config: TrainingConfig) {
        var fields: [String: String] = ["worker_server_num": String(config.workerServerNum), "train_url": config.trainURL]
        fields["app_url"] = config.appURL
        fields["boot_file_url"] = config.bootFileURL
        fields["data_url"] = config.dataURL
        fields["dataset_id"] = config.datasetID
        fields["dataset_version_id"] = config.datasetVersionID
        fields["spec_id"] = config.specID.map(String.init)
        fields["pool_id"] = config.poolID
        fields["engine_id"] = config.engineID.map(String.init)
        fields["model_id"] = config.modelID.map(String.init)
        fields["log_url"] = config.logURL
        fields["user_image_url"] = config.userImageURL
        fields["user_command"] = config.userCommand
        fields["parameter"] = config.parameter.map { Self.canonical($0.map { ($0.label, $0.value) }) }
        self.init(fields: fields)
    }

    /// The compared fields of a listed (or detailed) version.
    public init(_ version: VersionDetail) {
        var fields: [String: String] = [:]
        fields["worker_server_num"] = version.workerServerNum.map(String.init)
        fields["train_url"] = version.trainURL
        fields["app_url"] = version.appURL
        fields["boot_file_url"] = version.bootFileURL
        fields["data_url"] = version.dataURL
        fields["dataset_id"] = version.datasetID
        fields["dataset_version_id"] = version.datasetVersionID
        fields["spec_id"] = version.specID.map(String.init)
        fields["pool_id"] = version.poolID
        fields["engine_id"] = version.engineID.map(String.init)
        fields["model_id"] = version.modelID.map(String.init)
        fields["log_url"] = version.logURL
        fields["user_image_url"] = version.userImageURL
        fields["user_command"] = version.userCommand
        fields["parameter"] = version.parameter.map { Self.canonical($0.map { ($0.label, $0.value) }) }
        // Empty strings are how listings often show "not set": they decide nothing.
        self.init(fields: fields.filter { !$0.value.isEmpty })
    }

    /// Running parameters as one string, in their order: `label=value` lines.
    private static func canonical(_ parameters: [(String, String)]) -> String {
        parameters.map { "\($0.0)=\($0.1)" }.joined(separator: "\n")
    }
}

extension VersionMatcher.Listed {
    /// A version from a listing; `nil` when it has no id (the client's listing never returns one).
    public init?(_ version: VersionDetail) {
        guard let id = version.versionID else { return nil }
        self.init(
            versionID: id, versionName: version.versionName, preVersionID: version.preVersionID,
            createTime: version.createTime.map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) },
            status: version.status.code, jobDesc: version.jobDesc, configuration: ConfigurationFingerprint(version)
        )
    }
}

extension VersionMatcher.Attempt {
    /// What an attempt sent: the request as sent (with its marker, if any) and its start time.
    public init(
        request: CreateVersionRequest, marker: String?, startedAt: Date, excludedVersionIDs: Set<Int64> = []
    ) {
        self.init(
            startedAt: startedAt, marker: marker, preVersionID: request.config.preVersionID,
            configuration: ConfigurationFingerprint(request.config), excludedVersionIDs: excludedVersionIDs
        )
    }
}
