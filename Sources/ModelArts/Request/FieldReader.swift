import JSONTree

/// Typed reads of a JSON object that record what is wrong instead of stopping: the one place that says
/// how a request field is read (absent vs `null`, types, bounds) and how its path is named, for the v1
/// version request and the v2 job body alike.
struct FieldReader {
    private(set) var violations: [RequestValidationError.Violation] = []
    let prefix: String

    init(prefix: String) {
        self.prefix = prefix
    }

    /// A member that is there and not `null`.
    func present(_ object: [String: JSONValue], _ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    mutating func string(
        _ object: [String: JSONValue], _ key: String, at parent: String?, allowEmpty: Bool = false
    ) -> String? {
        guard let value = present(object, key) else { return nil }
        guard let string = value.stringValue else {
            report(path(parent, key), "expected string, got \(value.typeName)")
            return nil
        }
        if !allowEmpty, string.isEmpty {
            report(path(parent, key), "must not be empty")
            return nil
        }
        return string
    }

    mutating func array(_ object: [String: JSONValue], _ key: String, at parent: String) -> [JSONValue]? {
        guard let value = present(object, key) else { return nil }
        guard let elements = value.arrayValue else {
            report(path(parent, key), "expected array, got \(value.typeName)")
            return nil
        }
        return elements
    }

    mutating func integer(
        _ object: [String: JSONValue], _ key: String, at parent: String, minimum: Int64
    ) -> Int64? {
        guard let value = present(object, key) else { return nil }
        let field = path(parent, key)
        switch value {
        case .integer(let integer):
            guard integer >= minimum else {
                report(field, minimum == 1 ? "must be a positive integer, got \(integer)" : "must be at least \(minimum), got \(integer)")
                return nil
            }
            return integer
        case .number(let number) where number.rounded() == number && number.isFinite:
            report(field, "must be an integer that fits in 64 bits")
            return nil
        default:
            report(field, "expected integer, got \(value.typeName)")
            return nil
        }
    }

    mutating func requiredInteger(
        _ object: [String: JSONValue], _ key: String, at parent: String, minimum: Int64
    ) -> Int64? {
        guard present(object, key) != nil else {
            report(path(parent, key), "is required")
            return nil
        }
        return integer(object, key, at: parent, minimum: minimum)
    }

    mutating func requireTogether(_ object: [String: JSONValue], _ first: String, _ second: String, at parent: String) {
        switch (present(object, first) != nil, present(object, second) != nil) {
        case (true, false): report(path(parent, second), "is required together with \(first)")
        case (false, true): report(path(parent, first), "is required together with \(second)")
        default: break
        }
    }

    mutating func rejectUnknownKeys(
        _ object: [String: JSONValue], known: Set<String>, extra: Set<String>, at parent: String?
    ) {
        for key in object.keys.sorted() where !known.contains(key) && !extra.contains(key) {
            report(path(parent, key), "unknown field")
        }
    }

    // MARK: - Paths

    func path(_ parent: String?, _ key: String) -> String {
        if let parent { return parent + "." + key }
        return prefix.isEmpty ? key : prefix + "." + key
    }

    mutating func report(_ field: String, _ problem: String) {
        violations.append(.init(field: field, problem: problem))
    }
}
