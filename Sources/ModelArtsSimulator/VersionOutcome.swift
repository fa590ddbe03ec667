/// The terminal statuses a version can be scripted to end in (reference §3), and the path it takes there.
enum VersionOutcome {
    /// Terminal statuses of the v1 status table (the "Terminal?" column there is itself an inference
    /// from the names).
    static let terminalStatuses: Set<Int> = [3, 5, 6, 10, 11, 12, 13, 14, 16, 17, 20, 21]

    static let completed = 10

    static func validate(_ status: Int, field: String) throws(ScenarioError) {
        guard terminalStatuses.contains(status) else {
            let allowed = terminalStatuses.sorted().map(String.init).joined(separator: ", ")
            throw .invalidField(field, "\(status) is not a terminal status (one of \(allowed))")
        }
    }
}
