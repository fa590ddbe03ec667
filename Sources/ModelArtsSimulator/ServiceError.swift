import Hummingbird

/// An error answer of the simulated service, in the body shape of the layer that would produce it
/// (reference §4.1): the API gateway (`error_msg`, `error_code`, `request_id`), the v1 training backend
/// (`is_success: false`, `error_code`, `error_message`), the v2 training backend (`error_msg`,
/// `error_code`, `error_solution`, reference §4.3), IAM (`{"error": {"code", "title", "message"}}`), or
/// the simulator's own control API.
struct ServiceError: Error, Sendable {
    enum Shape: Sendable {
        case gateway
        case backend
        case trainingJob
        case iam
        case control
    }

    private enum Code: Sendable {
        case routeNotFound
        case authenticationFailed
        case tokenMustBeUpdated
        case throttled
        case entityTooLarge
        case internalError
        case backend
        case trainingJob
        case iam
        case control
        case injected
    }

    private let code: Code
    let status: HTTPResponse.Status
    let shape: Shape
    let errorCode: String
    let message: String
    /// The `title` of an IAM error body.
    let title: String
    /// Seconds for a `Retry-After` header.
    let retryAfter: Int?
    /// The `error_solution` of a v2 error body.
    let solution: String

    private init(
        _ code: Code, status: Int, shape: Shape, errorCode: String, message: String, title: String = "", retryAfter: Int? = nil,
        solution: String = ""
    ) {
        self.code = code
        self.solution = solution
        self.status = HTTPResponse.Status(code: status)
        self.shape = shape
        self.errorCode = errorCode
        self.message = message
        self.title = title.isEmpty ? Self.title(forStatus: status) : title
        self.retryAfter = retryAfter
    }

    /// 404 APIGW.0101: unknown path, or a known path with the wrong method.
    static let routeNotFound = ServiceError(
        .routeNotFound, status: 404, shape: .gateway, errorCode: "APIGW.0101",
        message: "The API does not exist or has not been published in the environment."
    )

    /// 401 APIGW.0301 with the gateway's "Incorrect IAM authentication information: ..." text.
    static func authenticationFailed(_ detail: String) -> ServiceError {
        .init(.authenticationFailed, status: 401, shape: .gateway, errorCode: "APIGW.0301",
              message: "Incorrect IAM authentication information: \(detail)")
    }

    /// 401 APIGW.0307: expired or unknown token.
    static let tokenMustBeUpdated = ServiceError(
        .tokenMustBeUpdated, status: 401, shape: .gateway, errorCode: "APIGW.0307", message: "The token must be updated."
    )

    /// 429 APIGW.0308 with the limit in the message, as the gateway words it.
    static func throttled(limit: Int, retryAfter: Int? = nil) -> ServiceError {
        .init(.throttled, status: 429, shape: .gateway, errorCode: "APIGW.0308",
              message: throttlingMessage(limit: limit), retryAfter: retryAfter)
    }

    static func throttlingMessage(limit: Int) -> String {
        "The throttling threshold has been reached: policy user over ratelimit,limit:\(limit),time:1 second"
    }

    static let entityTooLarge = ServiceError(
        .entityTooLarge, status: 413, shape: .gateway, errorCode: "APIGW.0201", message: "Request entity too large"
    )

    /// 500 APIGW.0601: something in the simulator itself went wrong.
    static let internalError = ServiceError(
        .internalError, status: 500, shape: .gateway, errorCode: "APIGW.0601", message: "Internal server error"
    )

    /// 400 ModelArts.0101: an argument has the wrong form.
    static func invalidArgument(_ message: String) -> ServiceError {
        .init(.backend, status: 400, shape: .backend, errorCode: "ModelArts.0101", message: message)
    }

    /// 400 ModelArts.0104: the body breaks a rule of the create call.
    static func parameterError(_ message: String) -> ServiceError {
        .init(.backend, status: 400, shape: .backend, errorCode: "ModelArts.0104", message: message)
    }

    /// 404 ModelArts.0015 for an unknown job or version. The real v1 code for this is UNVERIFIED
    /// (reference §8.7 allows 404 ModelArts.0015 or 400 ModelArts.2775); both are permanent.
    static func notFound(_ message: String) -> ServiceError {
        .init(.backend, status: 404, shape: .backend, errorCode: "ModelArts.0015", message: message)
    }

    /// 409 ModelArts.2796 for stopping a version that already ended. The v1 code is UNVERIFIED; this is
    /// the v2 "NotAllowedToTerminate" answer, which a client treats as permanent for this call.
    static func notAllowedToStop(_ message: String) -> ServiceError {
        .init(.backend, status: 409, shape: .backend, errorCode: "ModelArts.2796", message: message)
    }

    /// A v2 training-job answer (`error_msg`, `error_code`, `error_solution`); the named ones are in
    /// `ServiceError+TrainingJob.swift`.
    static func trainingJob(status: Int, errorCode: String, message: String, solution: String) -> ServiceError {
        .init(.trainingJob, status: status, shape: .trainingJob, errorCode: errorCode, message: message, solution: solution)
    }

    /// IAM refusing a token request (Keystone-style body; UNVERIFIED wording).
    static func iam(status: Int, title: String, message: String) -> ServiceError {
        .init(.iam, status: status, shape: .iam, errorCode: String(status), message: message, title: title)
    }

    private static func title(forStatus status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Error"
        }
    }

    /// The control API refusing a request.
    static func control(_ problem: String, status: Int = 400) -> ServiceError {
        .init(.control, status: status, shape: .control, errorCode: "SIM.\(status)", message: problem)
    }

    /// An injected error fault; the code and message default to what the real service says with that status.
    static func injected(_ rule: FaultRule, route: APIRoute, throttleLimit: Int) -> ServiceError {
        let status = rule.status ?? 503
        let errorCode =
            rule.errorCode
            ?? (route.isTrainingJobRoute
                ? InjectedErrorCatalog.defaultTrainingJobCode(forStatus: status) : InjectedErrorCatalog.defaultCode(forStatus: status))
        let message = rule.message ?? InjectedErrorCatalog.defaultMessage(for: errorCode, status: status, throttleLimit: throttleLimit)
        let shape: Shape =
            if errorCode.hasPrefix("APIGW.") || errorCode.hasPrefix("APIG.") { .gateway }
            else if route == .token { .iam }
            else if route.isTrainingJobRoute { .trainingJob }
            else { .backend }
        return .init(
            .injected, status: status, shape: shape, errorCode: errorCode, message: message, retryAfter: rule.retryAfter,
            solution: InjectedErrorCatalog.defaultSolution(forStatus: status))
    }
}
