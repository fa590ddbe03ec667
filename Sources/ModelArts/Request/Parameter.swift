/// One running parameter (`{"label": ..., "value": ...}`); custom images see them as environment variables.
public struct Parameter: Sendable, Hashable {
    public var label: String
    public var value: String

    public init(label: String, value: String) {
        self.label = label
        self.value = value
    }
}
