import Foundation
import NIOHTTP1
import TrainQAPI

/// A failure of the command line, with its exit code. The codes are documented in the README.
struct CLIError: Error, CustomStringConvertible {
    enum ExitCode: Int32 {
        case failure = 1
        case usage = 2
        case daemonUnavailable = 3
        case validationFailed = 4
        case notFound = 5
        case forbidden = 6
        case conflict = 7
    }

    var exitCode: ExitCode
    var message: String
    var details: [FieldProblem] = []
    /// The daemon went away (not running, connection dropped, shutting down): the same call may work
    /// once it is back. Set from the error's type or the envelope's kind, never from message text.
    var isReconnectable = false

    init(_ exitCode: ExitCode, _ message: String, details: [FieldProblem] = [], isReconnectable: Bool = false) {
        self.exitCode = exitCode
        self.message = message
        self.details = details
        self.isReconnectable = isReconnectable
    }

    var description: String {
        ([message] + details.map { "  - \($0.field): \($0.problem)" }).joined(separator: "\n")
    }

    static func from(status: HTTPResponseStatus, body: Data) -> CLIError {
        guard let envelope = try? APICoding.decoder().decode(ErrorEnvelope.self, from: body) else {
            return CLIError(.failure, "trainqd answered \(status.code) \(status.reasonPhrase)")
        }
        let code: ExitCode =
            switch envelope.error.kind {
            case .validationFailed, .invalidJSON, .payloadTooLarge, .unsupportedMediaType, .badRequest: .validationFailed
            case .notFound: .notFound
            case .forbidden, .unauthenticated: .forbidden
            case .idempotencyConflict, .invalidState: .conflict
            case .storeUnavailable, .shuttingDown, .remoteUnavailable, .daemonUnavailable: .daemonUnavailable
            case .methodNotAllowed, .internalError: .failure
            }
        return CLIError(
            code, "\(envelope.error.kind.rawValue): \(envelope.error.message)", details: envelope.error.details,
            isReconnectable: envelope.error.kind == .shuttingDown
        )
    }
}
