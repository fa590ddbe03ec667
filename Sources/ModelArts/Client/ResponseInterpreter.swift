import Foundation
import NIOHTTP1

/// Turns an HTTP answer into a typed value or a `ModelArtsError`. Pure, so every rule is unit-tested
/// without a server: error status → HTTP error; 2xx with `is_success: false` → HTTP error too (the
/// reference leaves open whether v1 ever does that, so we check); unreadable 2xx → undecodable response.
enum ResponseInterpreter {
    static func interpret<Value>(
        _ response: HTTPTransport.Response,
        operation: ModelArtsOperation,
        decode: (Data) throws(WireDecodingError) -> Value
    ) throws(ModelArtsError) -> Value {
        try interpret(response, operation: operation) { (response) throws(WireDecodingError) in try decode(response.body) }
    }

    /// The same, for decoders that also need the headers (the IAM token is in one).
    static func interpret<Value>(
        _ response: HTTPTransport.Response,
        operation: ModelArtsOperation,
        decodeResponse: (HTTPTransport.Response) throws(WireDecodingError) -> Value
    ) throws(ModelArtsError) -> Value {
        let envelope = FailureEnvelope.parse(response.body)
        let requestID = response.headers.first(name: "X-Request-Id") ?? envelope?.requestID
        guard !response.bodyTruncated else {
            throw .undecodableResponse(operation: operation, status: response.status,
                                       message: "response body larger than the accepted maximum", requestID: requestID)
        }
        let isSuccessStatus = (200..<300).contains(response.status)
        if !isSuccessStatus || envelope?.reportsFailure == true {
            throw .http(
                operation: operation, status: response.status, errorCode: envelope?.errorCode,
                message: envelope?.errorMessage ?? fallbackMessage(response),
                requestID: requestID, retryAfter: retryAfter(response.headers.first(name: "Retry-After")))
        }
        do {
            return try decodeResponse(response)
        } catch {
            throw .undecodableResponse(operation: operation, status: response.status, message: error.description,
                                       requestID: requestID)
        }
    }

    /// `Retry-After` as delay-seconds. (The HTTP-date form is not used by the gateway as far as known;
    /// it is ignored rather than guessed.)
    static func retryAfter(_ value: String?) -> Duration? {
        guard let text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let seconds = Int64(text), seconds >= 0 { return .seconds(seconds) }
        if let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds < 1e9 { return .seconds(seconds) }
        return nil
    }

    /// A short, printable excerpt of a body that had no error fields (an HTML error page from a proxy).
    static func fallbackMessage(_ response: HTTPTransport.Response) -> String {
        let text = String(decoding: response.body.prefix(300), as: UTF8.self)
            .unicodeScalars.map { $0.properties.generalCategory == .control ? " " : String($0) }.joined()
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let reason = HTTPResponseStatus(statusCode: response.status).reasonPhrase
        return text.isEmpty ? "HTTP \(response.status) \(reason)" : "HTTP \(response.status) \(reason): \(text)"
    }
}
