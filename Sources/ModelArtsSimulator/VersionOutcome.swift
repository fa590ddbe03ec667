import ModelArts

/// The terminal statuses a version can be scripted to end in (reference §3).
enum VersionOutcome {
    static let completed = VersionStatus.completed.code

    static func validate(_ status: Int, field: String) throws(ScenarioError) {
        guard VersionStatus(code: status).isTerminal else {
            let allowed = VersionStatus.names.keys.sorted().filter { VersionStatus(code: $0).isTerminal }
            throw .invalidField(field, "\(status) is not a terminal status (one of \(allowed.map(String.init).joined(separator: ", ")))")
        }
    }
}
