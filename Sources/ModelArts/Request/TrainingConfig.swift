/// The `config` object of a create-version request (reference §2.3, the seed's Table 3). Absent optional
/// fields stay `nil` and are left out of the wire body; nothing is defaulted here (`engine_id` defaults
/// to 1 on the service side).
public struct TrainingConfig: Sendable, Hashable {
    public var workerServerNum: Int64
    public var appURL: String?
    public var bootFileURL: String?
    public var parameter: [Parameter]?
    public var dataURL: String?
    public var datasetID: String?
    public var datasetVersionID: String?
    public var dataSource: [DataSource]?
    public var specID: Int64?
    public var poolID: String?
    public var engineID: Int64?
    public var modelID: Int64?
    public var trainURL: String
    public var logURL: String?
    public var preVersionID: Int64
    public var userImageURL: String?
    public var userCommand: String?

    public init(
        workerServerNum: Int64,
        appURL: String? = nil,
        bootFileURL: String? = nil,
        parameter: [Parameter]? = nil,
        dataURL: String? = nil,
        datasetID: String? = nil,
        datasetVersionID: String? = nil,
        dataSource: [DataSource]? = nil,
        specID: Int64? = nil,
        poolID: String? = nil,
        engineID: Int64? = nil,
        modelID: Int64? = nil,
        trainURL: String,
        logURL: String? = nil,
        preVersionID: Int64,
        userImageURL: String? = nil,
        userCommand: String? = nil
    ) {
        self.workerServerNum = workerServerNum
        self.appURL = appURL
        self.bootFileURL = bootFileURL
        self.parameter = parameter
        self.dataURL = dataURL
        self.datasetID = datasetID
        self.datasetVersionID = datasetVersionID
        self.dataSource = dataSource
        self.specID = specID
        self.poolID = poolID
        self.engineID = engineID
        self.modelID = modelID
        self.trainURL = trainURL
        self.logURL = logURL
        self.preVersionID = preVersionID
        self.userImageURL = userImageURL
        self.userCommand = userCommand
    }

    /// The wire names of every field, in the order the documentation lists them (and the wire body uses).
    public static let fieldNames: [String] = [
        "worker_server_num", "app_url", "boot_file_url", "parameter", "data_url", "dataset_id",
        "dataset_version_id", "data_source", "spec_id", "pool_id", "engine_id", "model_id", "train_url",
        "log_url", "pre_version_id", "user_image_url", "user_command",
    ]
}
