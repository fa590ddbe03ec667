import Hummingbird

extension HTTPField.Name {
    // Literal, valid header names: the initializer cannot fail for them.
    static let requestId = Self("X-Request-Id")!
    static let subjectToken = Self("X-Subject-Token")!
}
