import Foundation

/// The one place that decides how a failure is handled (reference §4.3–§4.5). The retry policy reads only
/// `ErrorClass` and `RetryHint`; nothing else in the project looks at status codes or error codes.
public enum ErrorClassification {
    /// The class of a failure.
    public static func classify(_ error: ModelArtsError) -> ErrorClass {
        switch error.kind {
        case .transportNotSent:
            return .transient
        case .transportMaybeSent:
            // The request may have been applied: a create must be reconciled, a read can simply repeat.
            return error.operation.isNonIdempotentCreate ? .unknownOutcome : .transient
        case .undecodableResponse:
            // A create answered 2xx with a body we cannot read has probably created the version; a read
            // answered 2xx with garbage may read fine next time.
            if let status = error.httpStatus, (200..<300).contains(status) {
                return error.operation.isNonIdempotentCreate ? .unknownOutcome : .transient
            }
            return classifyStatus(error.httpStatus ?? 500, operation: error.operation)
        case .configuration:
            return .permanent
        default:
            return classifyHTTP(error)
        }
    }

    /// When to retry at the earliest, from the answer itself.
    public static func retryHint(_ error: ModelArtsError) -> RetryHint {
        var hint = RetryHint(retryAfter: error.retryAfter)
        if normalizedCode(error.errorCode) == "APIGW.0308", let window = ThrottleWindow.parse(error.message) {
            hint.throttleLimit = window.limit
            hint.throttleWindow = window.window
        }
        return hint
    }

    /// Gateway codes for "no such API": a wrong endpoint or a retired API, not a vanished version.
    static let missingAPICodes: Set<String> = ["APIGW.0101", "ModelArts.4204"]

    static let duplicateTrainingJobName = "ModelArts.2751"

    /// Whether the answer says that the tracked run itself does not exist: a 404 to showing a version
    /// (unless the code says the API is missing), or 400 `ModelArts.2775` TrainingJobNotFound to showing a
    /// v2 job (an aged-out record). Only this ends tracking; every other error is polled through.
    public static func isVanishedVersion(_ error: ModelArtsError) -> Bool {
        switch error.operation {
        case .showVersion:
            error.httpStatus == 404 && !missingAPICodes.contains(normalizedCode(error.errorCode) ?? "")
        case .showTrainingJob:
            error.httpStatus == 400 && normalizedCode(error.errorCode) == "ModelArts.2775"
        default:
            false
        }
    }

    /// A terminate refused with 409 `ModelArts.2796` NotAllowedToTerminate: the job is not in a phase
    /// that can be stopped, which for a job being tracked means it has already ended. The stop is done.
    public static func isAlreadyEnded(_ error: ModelArtsError) -> Bool {
        error.operation == .terminateTrainingJob && error.httpStatus == 409
            && normalizedCode(error.errorCode) == "ModelArts.2796"
    }

    /// The shortest wait before a read may be repeated: the answer's own hint, and a minute for the
    /// quota and capacity class, which does not heal in seconds.
    public static func minimumReadDelay(_ error: ModelArtsError) -> Duration? {
        retryHint(error).minimumDelay ?? (classify(error) == .slow ? .seconds(60) : nil)
    }

    // MARK: - HTTP answers

    private static func classifyHTTP(_ error: ModelArtsError) -> ErrorClass {
        let status = error.httpStatus ?? 0
        // Gateway timeouts and bad gateways on a create: the backend may have created the version.
        if error.operation.isNonIdempotentCreate, status == 502 || status == 504 {
            return .unknownOutcome
        }
        let code = normalizedCode(error.errorCode)
        // Every name trainq sends carries its submission's own suffix (`TrainingJobName`): a job with that
        // exact name is this submission's, created by an attempt whose answer was lost. Find it and adopt it.
        if error.operation == .createTrainingJob, status == 400, code == duplicateTrainingJobName {
            return .unknownOutcome
        }
        var decided = code.flatMap { codeRules[$0] }?.classify(status: status, operation: error.operation)
            ?? classifyStatus(status, operation: error.operation)
        // Any 429 is throttling, whatever the code (APIGW.0308, ModelArts.2799, .4206, .6101, ...).
        if status == 429 { return .throttled }
        // 408 invites a retry whatever the code says, unless it asks for a longer wait.
        if status == 408, decided != .slow { decided = .transient }
        // APIGW.0301 also covers token problems ("decrypt token fail"); those heal with a new token. Only
        // the text before an echoed canonical request counts (it may list an `x-auth-token` header).
        if code == "APIGW.0301" {
            let lowered = error.message.lowercased()
            let reason = lowered.range(of: "canonicalrequest").map { lowered[..<$0.lowerBound] } ?? lowered[...]
            if reason.contains("token") { decided = .tokenRefresh }
        }
        // A token error after a fresh token (or with AK/SK, where there is none) is not going to heal.
        if decided == .tokenRefresh, error.tokenRefreshAttempted { return .permanent }
        return decided
    }

    /// The class from the HTTP status alone, for codes the tables do not list.
    static func classifyStatus(_ status: Int, operation: ModelArtsOperation) -> ErrorClass {
        switch status {
        case 429: return .throttled
        case 408: return .transient
        case 401: return .tokenRefresh
        case 502, 504: return operation.isNonIdempotentCreate ? .unknownOutcome : .transient
        case 501, 505: return .permanent
        case 500...599: return .transient
        default: return .permanent
        }
    }

    /// Dedicated gateways use `APIG.` and ROMA `APIC.` with the same numbers as the cloud gateway's
    /// `APIGW.` (reference §4.4).
    static func normalizedCode(_ code: String?) -> String? {
        guard let code = code?.trimmingCharacters(in: .whitespaces), !code.isEmpty else { return nil }
        for prefix in ["APIG.", "APIC."] where code.hasPrefix(prefix) {
            return "APIGW." + code.dropFirst(prefix.count)
        }
        return code
    }

    // MARK: - The tables

    /// How one error code is classified. Some codes mean different things under different statuses
    /// (errata A13: 4700 is "task does not exist" under 400 and "unavailable gateway" under 503), so the
    /// decision is made on the (status, code) pair; `otherwise: nil` falls back to the status alone.
    enum Rule: Sendable {
        case always(ErrorClass)
        case byStatus([Int: ErrorClass], otherwise: ErrorClass?)

        func classify(status: Int, operation: ModelArtsOperation) -> ErrorClass {
            switch self {
            case .always(let errorClass): errorClass
            case .byStatus(let table, let otherwise):
                table[status] ?? otherwise ?? ErrorClassification.classifyStatus(status, operation: operation)
            }
        }
    }

    /// Every code of reference §4.3 (ModelArts) and §4.4 (API Gateway), with its class from §4.5.
    /// Whatever their code, 429 is throttling and 408 transient.
    static let codeRules: [String: Rule] = {
        var rules: [String: Rule] = [:]
        func set(_ errorClass: ErrorClass, _ codes: [String]) {
            for code in codes { rules[code] = .always(errorClass) }
        }

        // Authentication, authorization, project (§4.3).
        set(.permanent, ["ModelArts.0201"])  // token missing: a configuration fault, not staleness
        set(.tokenRefresh, ["ModelArts.0202", "ModelArts.0203", "ModelArts.4127"])
        rules["ModelArts.0204"] = .byStatus([401: .tokenRefresh], otherwise: .permanent)
        set(.permanent, [
            "ModelArts.0205", "ModelArts.0206", "ModelArts.0207", "ModelArts.0208", "ModelArts.0210",
            "ModelArts.0212", "ModelArts.0108", "ModelArts.0112", "ModelArts.2785",
            "ModelArts.6201", "ModelArts.6203", "ModelArts.4116", "ModelArts.4118", "ModelArts.5017",
        ])

        // Parameters, state, quota (§4.3).
        set(.permanent, [
            "ModelArts.0101", "ModelArts.0104", "ModelArts.0107", "ModelArts.0102", "ModelArts.0015",
            "ModelArts.0806", "ModelArts.0901", "ModelArts.2606", "ModelArts.2607", "ModelArts.2608",
            "ModelArts.2775", "ModelArts.2781", "ModelArts.2763", "ModelArts.2793", "ModelArts.2782",
            "ModelArts.2783", "ModelArts.2787", "ModelArts.2788", "ModelArts.2796", "ModelArts.4104",
        ])
        set(.slow, ["ModelArts.0116", "ModelArts.0118", "ModelArts.2815", "ModelArts.2605", "ModelArts.3952",
                    "ModelArts.6200"])
        set(.transient, ["ModelArts.2878", "ModelArts.5044"])

        // Throttling, gateway, internal (§4.3).
        set(.transient, [
            "ModelArts.2799", "ModelArts.4206", "ModelArts.6101", "ModelArts.4395",
            "ModelArts.6100", "ModelArts.0010", "ModelArts.5039", "ModelArts.6102",
            "ModelArts.4302", "ModelArts.2776", "ModelArts.2777",
        ])
        set(.transient, (2950...2959).map { "ModelArts.\($0)" })

        // v2 training jobs (errata §4.5). A duplicate name (2751) is permanent, except as the answer to
        // our own create (see `classifyHTTP`).
        set(.transient, (2900...2999).map { "ModelArts.\($0)" })  // 29xx: platform dependencies, bounded by the budget
        set(.permanent, [
            "ModelArts.2751", "ModelArts.2755", "ModelArts.2840", "ModelArts.2791", "ModelArts.2802", "ModelArts.2757",
            "ModelArts.2758", "ModelArts.2806", "ModelArts.2837", "ModelArts.2886", "ModelArts.2786", "ModelArts.2890",
            "ModelArts.2803", "ModelArts.2813", "ModelArts.2807", "ModelArts.2808", "ModelArts.2809", "ModelArts.2812",
        ])
        set(.slow, ["ModelArts.2833", "ModelArts.2887"])  // free-flavour quota, a pool not running: minutes
        set(.tokenRefresh, ["ModelArts.2784"])  // 403 InvalidToken: refresh once (then permanent)

        // One code, several meanings by status (errata A13): a request error under 4xx, a passing failure
        // under 408 and 5xx.
        rules["ModelArts.4205"] = .byStatus([400: .permanent], otherwise: nil)  // 400 "specify a subdirectory"; 408 timed out
        rules["ModelArts.4700"] = .byStatus([400: .permanent], otherwise: nil)  // 400 "task does not exist"; 503 gateway
        rules["ModelArts.4503"] = .byStatus([400: .permanent], otherwise: nil)  // 400 "DLI agency"; 500, 504
        rules["ModelArts.4505"] = .byStatus([401: .permanent], otherwise: nil)  // 401 "IAM user not allowed"; 500 read timed out
        rules["ModelArts.4204"] = .byStatus([400: .permanent, 404: .permanent], otherwise: nil)  // 500: transient

        // API Gateway (§4.4).
        set(.permanent, ["APIGW.0101", "APIGW.0104", "APIGW.0105", "APIGW.0106"])
        // 0103 "backend does not exist": 404 on the cloud gateway (permanent), 500 on dedicated ones.
        rules["APIGW.0103"] = .byStatus([500: .transient], otherwise: .permanent)
        // 0201 spans request errors (4xx, permanent) and backend failures (5xx, transient).
        rules["APIGW.0201"] = .byStatus([500: .transient, 502: .transient, 503: .transient, 504: .transient],
                                        otherwise: .permanent)
        set(.transient, ["APIGW.0202", "APIGW.0203", "APIGW.0308"])
        // 0301: bad signature, locked AK; the token variant is recognised from the message.
        set(.permanent, [
            "APIGW.0301", "APIGW.0302", "APIGW.0303", "APIGW.0304", "APIGW.0305", "APIGW.0306", "APIGW.0310",
            "APIGW.0311", "APIGW.0401", "APIGW.0402", "APIGW.0404", "APIGW.0405", "APIGW.0501", "APIGW.0502",
            "APIGW.0602", "APIGW.0802",
        ])
        set(.tokenRefresh, ["APIGW.0307"])
        set(.transient, ["APIGW.0601", "APIGW.0605", "APIGW.0606", "APIGW.0608", "APIGW.0609", "APIGW.0611",
                         "APIGW.0610", "APIGW.0613"])
        return rules
    }()
}

extension ModelArtsError {
    /// How to handle this failure (see `ErrorClassification`).
    public var errorClass: ErrorClass { ErrorClassification.classify(self) }

    /// The earliest sensible retry, from `Retry-After` and the throttle message.
    public var retryHint: RetryHint { ErrorClassification.retryHint(self) }
}

/// The throttle window in a gateway message, e.g. `...policy user over ratelimit,limit:10,time:1 minute`.
struct ThrottleWindow: Hashable {
    var limit: Int
    var window: Duration

    static func parse(_ message: String) -> ThrottleWindow? {
        let lowered = message.lowercased()
        guard let limitRange = lowered.range(of: "limit:"), let timeRange = lowered.range(of: "time:") else { return nil }
        let limitDigits = lowered[limitRange.upperBound...].prefix { $0.isWholeNumber }
        let afterTime = lowered[timeRange.upperBound...].drop { $0 == " " }
        let amountDigits = afterTime.prefix { $0.isWholeNumber }
        let unit = afterTime.dropFirst(amountDigits.count).drop { $0 == " " }.prefix { $0.isLetter }
        guard let limit = Int(limitDigits), let amount = Int(amountDigits), amount > 0 else { return nil }
        let seconds: Int
        switch unit {
        case "second", "seconds", "s": seconds = amount
        case "minute", "minutes", "min": seconds = amount * 60
        case "hour", "hours", "h": seconds = amount * 3600
        case "day", "days": seconds = amount * 86400
        default: return nil
        }
        return ThrottleWindow(limit: limit, window: .seconds(seconds))
    }
}
