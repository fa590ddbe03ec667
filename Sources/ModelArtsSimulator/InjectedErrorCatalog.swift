/// The codes and texts the real service answers with for a given HTTP status (reference §4.3, §4.4),
/// so that `{"kind": "error", "status": 503}` alone injects a realistic failure.
enum InjectedErrorCatalog {
    static func defaultCode(forStatus status: Int) -> String {
        switch status {
        case 400: "ModelArts.0104"
        case 401: "APIGW.0307"
        case 403: "ModelArts.0108"
        case 404: "ModelArts.0015"
        case 408: "ModelArts.4205"
        case 409: "ModelArts.5044"
        case 413: "APIGW.0201"
        case 429: "APIGW.0308"
        case 502, 504: "APIGW.0201"
        case 503: "ModelArts.4700"
        default: "ModelArts.0010"
        }
    }

    /// The same for the v2 training-job routes, where the backend's codes are the 27xx–29xx ones; the
    /// statuses without a v2 code of their own keep the v1 answer.
    static func defaultTrainingJobCode(forStatus status: Int) -> String {
        switch status {
        case 400: "ModelArts.2788"
        case 409: "ModelArts.2878"
        case 500: "ModelArts.2950"
        default: defaultCode(forStatus: status)
        }
    }

    /// `error_solution` of an injected v2 error.
    static func defaultSolution(forStatus status: Int) -> String {
        switch status {
        case 400: "Check the request parameters."
        case 409, 429, 500...599: "Try again later."
        default: "Contact technical support."
        }
    }

    static func defaultMessage(for code: String, status: Int, throttleLimit: Int) -> String {
        switch code {
        case "APIGW.0308", "APIG.0308": ServiceError.throttlingMessage(limit: throttleLimit)
        case "APIGW.0201":
            switch status {
            case 502: "Backend unavailable"
            case 504: "Backend timeout"
            case 413: "Request entity too large"
            case 500: "An unexpected error occurred"
            default: "API request error"
            }
        case "APIGW.0307": "The token must be updated."
        case "APIGW.0301": "Incorrect IAM authentication information: verify aksk signature fail"
        case "ModelArts.4700": "The platform is being upgraded. Try again later."
        case "ModelArts.0010": "Internal error."
        case "ModelArts.2799": "Too many requests."
        case "ModelArts.2788": "Invalid parameter."
        case "ModelArts.2878": "The job status has changed, try again later."
        case "ModelArts.2950": "Unknown error."
        case "ModelArts.4206": "Too many requests, reached api create training job version."
        case "ModelArts.6101": "The system is busy now. Please try again later."
        case "ModelArts.4205": "Connection timed out."
        case "ModelArts.5044": "Operations conflict. Try again later."
        case "ModelArts.0202": "Token expired."
        case "ModelArts.0116": "Free train job reached the limit."
        case "ModelArts.3952": "Insufficient resources. Please try later."
        case "ModelArts.0104": "Parameter error."
        case "ModelArts.0108": "Not authorized to perform the operation."
        case "ModelArts.0015": "The requested resource does not exist."
        default: "Injected fault \(code)."
        }
    }
}
