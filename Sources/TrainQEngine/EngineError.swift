/// Why a person's action (cancel, retry, resolve) was not carried out. The HTTP layer maps the kind to a
/// status: `notFound` → 404, `notAllowed`/`conflict` → 409, `invalidVersion` → 400, `storeUnavailable` → 503,
/// `remoteUnavailable` → 502, `shuttingDown` → 503.
public struct EngineError: Error, Sendable, Hashable, CustomStringConvertible {
    fileprivate enum Code: String, Sendable, Hashable {
        case notFound = "not_found"
        case notAllowed = "not_allowed"
        case conflict
        case invalidVersion = "invalid_version"
        case storeUnavailable = "store_unavailable"
        case remoteUnavailable = "remote_unavailable"
        case shuttingDown = "shutting_down"
    }

    /// The kind of refusal, stable for scripts. Extensible: kinds may be added.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        fileprivate let code: Code
        /// No submission with that id.
        public static let notFound = Kind(code: .notFound)
        /// The action does not apply in the submission's current state.
        public static let notAllowed = Kind(code: .notAllowed)
        /// The submission changed state while the action was being applied; look again.
        public static let conflict = Kind(code: .conflict)
        /// The version to adopt does not exist in the submission's job.
        public static let invalidVersion = Kind(code: .invalidVersion)
        public static let storeUnavailable = Kind(code: .storeUnavailable)
        /// ModelArts could not be asked (to check a version to adopt, or to stop one).
        public static let remoteUnavailable = Kind(code: .remoteUnavailable)
        /// trainqd began to stop while the action waited on ModelArts; nothing was written, so asking again
        /// once it is back is safe.
        public static let shuttingDown = Kind(code: .shuttingDown)

        public var description: String { code.rawValue }
    }

    private let code: Code
    public let message: String

    private init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var kind: Kind { Kind(code: code) }

    public var description: String { "\(code.rawValue): \(message)" }

    static func notFound(_ id: String) -> EngineError {
        EngineError(code: .notFound, message: "no submission \(id)")
    }

    static func refused(_ refusal: SubmissionStateMachine.Refusal) -> EngineError {
        switch refusal {
        case .notAllowed: EngineError(code: .notAllowed, message: refusal.description)
        }
    }

    static func notAllowed(_ message: String) -> EngineError {
        EngineError(code: .notAllowed, message: message)
    }

    static func conflict(_ id: String) -> EngineError {
        EngineError(code: .conflict, message: "submission \(id) kept changing state; look at it again")
    }

    static func invalidVersion(_ message: String) -> EngineError {
        EngineError(code: .invalidVersion, message: message)
    }

    static func storeUnavailable(_ error: any Error) -> EngineError {
        EngineError(code: .storeUnavailable, message: "the submission store failed: \(error)")
    }

    static func remoteUnavailable(_ message: String) -> EngineError {
        EngineError(code: .remoteUnavailable, message: message)
    }

    static func shuttingDown(_ message: String) -> EngineError {
        EngineError(code: .shuttingDown, message: message)
    }
}
