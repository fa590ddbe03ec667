import JSONTree

/// Reads typed members of one JSON object and names the exact field when one is wrong.
struct JSONObjectReader {
    let members: [String: JSONValue]
    let path: String

    init(_ value: JSONValue, path: String) throws(ScenarioError) {
        guard let members = value.objectValue else {
            throw .invalidField(path.isEmpty ? "(document)" : path, "expected object, got \(value.typeName)")
        }
        self.members = members
        self.path = path
    }

    func field(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    func rejectUnknownKeys(allowed: Set<String>) throws(ScenarioError) {
        if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .invalidField(field(unknown), "unknown field")
        }
    }

    func string(_ key: String) throws(ScenarioError) -> String? {
        guard let value = members[key], value != .null else { return nil }
        guard let string = value.stringValue else {
            throw .invalidField(field(key), "expected string, got \(value.typeName)")
        }
        return string
    }

    func integer(_ key: String) throws(ScenarioError) -> Int64? {
        guard let value = members[key], value != .null else { return nil }
        guard let integer = value.int64Value else {
            throw .invalidField(field(key), "expected integer, got \(value.typeName)")
        }
        return integer
    }

    func integer(_ key: String, in range: ClosedRange<Int64>) throws(ScenarioError) -> Int64? {
        guard let integer = try integer(key) else { return nil }
        guard range.contains(integer) else {
            throw .invalidField(field(key), "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return integer
    }

    func number(_ key: String) throws(ScenarioError) -> Double? {
        guard let value = members[key], value != .null else { return nil }
        switch value {
        case .integer(let integer): return Double(integer)
        case .number(let number): return number
        default: throw .invalidField(field(key), "expected number, got \(value.typeName)")
        }
    }

    func array(_ key: String) throws(ScenarioError) -> [JSONValue]? {
        guard let value = members[key], value != .null else { return nil }
        guard let array = value.arrayValue else {
            throw .invalidField(field(key), "expected array, got \(value.typeName)")
        }
        return array
    }

    func object(_ key: String) throws(ScenarioError) -> [String: JSONValue]? {
        guard let value = members[key], value != .null else { return nil }
        guard let object = value.objectValue else {
            throw .invalidField(field(key), "expected object, got \(value.typeName)")
        }
        return object
    }
}
