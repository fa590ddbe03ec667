import ModelArts

/// What a failed poll means for tracking. Only a version the service says does not exist ends
/// tracking (as `failed`); every other error, transient or not, keeps the version tracked and only
/// delays the next poll, following the shared classification and its retry hints.
enum PollFailure: Equatable {
    /// The version is gone (404 for the version itself): tracking ends `failed` with this reason.
    case versionGone(reason: String)
    /// Poll again later, not before `floor` when the answer asked for a wait. `isPermanent` errors
    /// (403, a retired API) are worth a warning: they will not heal without a person.
    case retryLater(floor: Duration?, isPermanent: Bool)

    /// Gateway codes for "no such API": a wrong endpoint or a retired API, not a vanished version.
    static let missingAPICodes: Set<String> = ["APIGW.0101", "ModelArts.4204"]

    static func decide(_ error: ModelArtsError, versionID: Int64) -> PollFailure {
        let errorClass = ErrorClassification.classify(error)
        if error.httpStatus == 404, error.operation == .showVersion, !missingAPICodes.contains(error.errorCode ?? "") {
            let code = error.errorCode.map { " \($0)" } ?? ""
            return .versionGone(reason: "version \(versionID) no longer exists on ModelArts (HTTP 404\(code): \(error.message))")
        }
        var floor = ErrorClassification.retryHint(error).minimumDelay
        if errorClass == .slow, floor == nil { floor = .seconds(60) }
        return .retryLater(floor: floor, isPermanent: errorClass == .permanent)
    }
}
