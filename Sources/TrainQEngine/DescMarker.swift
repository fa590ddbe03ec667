import ModelArts

/// The ` [trainq:<id>]` tag appended to `job_desc` (`submit.desc_marker`), which lets reconciliation
/// recognise its own version exactly instead of by time and configuration.
public enum DescMarker {
    public static func tag(for submissionID: String) -> String {
        " [trainq:\(submissionID)]"
    }

    /// The request to send and the tag it carries: tagged when `enabled` and the result fits the
    /// `job_desc` limit, else unchanged with no tag (matching then falls back to time and configuration).
    public static func apply(
        to request: CreateVersionRequest, submissionID: String, enabled: Bool
    ) -> (request: CreateVersionRequest, marker: String?) {
        let tag = tag(for: submissionID)
        guard enabled, let marked = request.withDescriptionMarker(tag) else { return (request, nil) }
        return (marked, tag)
    }
}
