import Hummingbird

/// `HTTPField.Name`, reached through the `HTTPFields` type that Hummingbird re-exports.
typealias HTTPFieldName = HTTPFields.Element.Name

extension HTTPFieldName {
    // Literal, valid header names: the initializer cannot fail for them.
    static let requestID = Self("X-Request-Id")!
    static let subjectToken = Self("X-Subject-Token")!
}
