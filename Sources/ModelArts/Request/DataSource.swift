/// One entry of `config.data_source`: an OBS path or a dataset version.
public struct DataSource: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case obs
        case dataset
    }

    public var type: Kind
    public var dataURL: String?
    public var datasetID: String?
    public var datasetVersion: String?

    public init(type: Kind, dataURL: String? = nil, datasetID: String? = nil, datasetVersion: String? = nil) {
        self.type = type
        self.dataURL = dataURL
        self.datasetID = datasetID
        self.datasetVersion = datasetVersion
    }

    public static func obs(_ dataURL: String) -> DataSource {
        DataSource(type: .obs, dataURL: dataURL)
    }

    public static func dataset(id: String, version: String) -> DataSource {
        DataSource(type: .dataset, datasetID: id, datasetVersion: version)
    }
}
