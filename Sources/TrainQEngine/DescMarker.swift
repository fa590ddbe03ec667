/// The ` [trainq:<id>]` tag appended to `job_desc` (`submit.desc_marker`), which lets reconciliation
/// recognise its own version exactly instead of by time and configuration.
public enum DescMarker {
    /// `job_desc` may hold at most this many characters (reference §2.3).
    public static let jobDescLimit = 256

    public static func tag(for submissionID: String) -> String {
        " [trainq:\(submissionID)]"
    }

    /// `jobDesc` with the tag appended, or `nil` when the result would not fit the limit (then the
    /// description is sent unchanged and matching falls back to time and configuration).
    public static func apply(to jobDesc: String?, submissionID: String) -> String? {
        let marked = (jobDesc ?? "") + tag(for: submissionID)
        return fits(marked) ? marked : nil
    }

    /// The remote side's way of counting characters is not documented: count both UTF-16 units and
    /// Unicode scalars and keep to the stricter one.
    static func fits(_ text: String) -> Bool {
        max(text.utf16.count, text.unicodeScalars.count) <= jobDescLimit
    }
}
