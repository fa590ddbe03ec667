/// The body of `POST /v1/{project_id}/training-jobs/{job_id}/versions` (reference §2.3), as the caller
/// gave it. Only `validate(_:)` builds one from outside data, so every value here has passed the rules.
public struct CreateVersionRequest: Sendable, Hashable {
    public var jobDesc: String?
    public var config: TrainingConfig

    public init(jobDesc: String?, config: TrainingConfig) {
        self.jobDesc = jobDesc
        self.config = config
    }

    /// The service accepts 0–256 characters in `job_desc`.
    public static let maxJobDescLength = 256

    /// The length the service is assumed to measure. UNVERIFIED how it counts; UTF-16 code units (a Java
    /// backend's `String.length`) is never smaller than the other plausible counts, so it is the safe choice.
    public static func descriptionLength(_ text: String) -> Int {
        text.utf16.count
    }

    /// This request with `marker` appended to `job_desc`, or `nil` when the result would exceed
    /// `maxJobDescLength` (the caller then matches without a marker).
    public func withDescriptionMarker(_ marker: String) -> CreateVersionRequest? {
        let described = (jobDesc ?? "") + marker
        guard Self.descriptionLength(described) <= Self.maxJobDescLength else { return nil }
        var copy = self
        copy.jobDesc = described
        return copy
    }
}
