import ModelArts

/// What a failed poll means for tracking, as `ErrorClassification` decides it: a version the service
/// says does not exist ends tracking (as `failed`); every other error keeps the version tracked and only
/// delays the next poll.
enum PollFailure: Equatable {
    /// The version is gone (404 for the version itself): tracking ends `failed` with this reason.
    case versionGone(reason: String)
    /// Poll again later, not before `floor` when the answer asked for a wait. `isPermanent` errors
    /// (403, a retired API) are worth a warning: they will not heal without a person.
    case retryLater(floor: Duration?, isPermanent: Bool)

    /// - Parameter what: "version 21" or "training job 3f2c…", for the reason.
    static func decide(_ error: ModelArtsError, what: String) -> PollFailure {
        if ErrorClassification.isVanishedVersion(error) {
            let code = error.errorCode.map { " \($0)" } ?? ""
            let status = error.httpStatus.map(String.init) ?? "-"
            return .versionGone(reason: "\(what) no longer exists on ModelArts (HTTP \(status)\(code): \(error.message))")
        }
        return .retryLater(
            floor: ErrorClassification.minimumReadDelay(error), isPermanent: error.errorClass == .permanent)
    }
}
