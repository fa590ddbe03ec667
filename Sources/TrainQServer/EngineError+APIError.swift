import HTTPTypes
import TrainQAPI
import TrainQEngine

extension EngineError {
    /// The one translation from the engine's refusals to the socket API's error kinds and statuses.
    var apiError: APIError {
        switch kind {
        case .notFound: APIError.notFound(message)
        case .invalidVersion: APIError.badRequest(message)
        case .storeUnavailable: APIError.storeUnavailable(message)
        case .remoteUnavailable: APIError(.badGateway, .remoteUnavailable, message)
        case .shuttingDown: APIError(.serviceUnavailable, .shuttingDown, message)
        default: APIError.invalidState(message)
        }
    }
}
