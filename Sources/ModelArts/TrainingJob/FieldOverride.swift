import JSONTree

/// One change to a v2 job body, named by a dotted path: `spec.resource.node_count = 2`.
///
/// Parameters are a list of `{name, value}` in the body but are changed by name, the way people think
/// of them: `algorithm.parameters.lr = "0.01"` sets (or adds) the parameter `lr`. Its value is always a
/// string on the wire, so a number or a boolean is written as its JSON text. Other lists are indexed by
/// position (`algorithm.inputs.0.remote.obs.obs_url`).
public struct FieldOverride: Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let value: JSONValue
    private let segments: [String]

    public init(path: String, value: JSONValue) throws(FieldOverrideError) {
        let segments = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !path.isEmpty, segments.allSatisfy({ !$0.isEmpty }) else {
            throw FieldOverrideError(path: path, problem: "is not a dotted path such as spec.resource.node_count")
        }
        if segments == ["metadata", "name"], !(value.stringValue.map(TrainingJobRequest.isValidName) ?? false) {
            throw FieldOverrideError(path: path, problem: "must be 1-64 characters of letters, digits, '_' and '-'")
        }
        if Self.isParameter(segments) {
            guard segments.count == 3 else {
                throw FieldOverrideError(path: path, problem: "names a parameter as algorithm.parameters.NAME")
            }
            guard let text = Self.parameterText(value) else {
                throw FieldOverrideError(path: path, problem: "a parameter's value is a string, number or boolean, got \(value.typeName)")
            }
            self.value = .string(text)
        } else {
            self.value = value
        }
        self.path = path
        self.segments = segments
    }

    public var description: String { "\(path)=\(String(decoding: value.canonicalBytes(), as: UTF8.self))" }

    /// `document` with this change made; intermediate objects are created as needed.
    public func apply(to document: JSONValue) throws(FieldOverrideError) -> JSONValue {
        if Self.isParameter(segments) { return try setParameter(named: segments[2], in: document) }
        return try set(value, at: segments[...], in: document)
    }

    private static func isParameter(_ segments: [String]) -> Bool {
        segments.count >= 2 && segments[0] == "algorithm" && segments[1] == "parameters"
    }

    private static func parameterText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let string): string
        case .integer, .number, .bool: String(decoding: value.canonicalBytes(), as: UTF8.self)
        default: nil
        }
    }

    private func setParameter(named name: String, in document: JSONValue) throws(FieldOverrideError) -> JSONValue {
        var root = document.objectValue ?? [:]
        var algorithm = root["algorithm"]?.objectValue ?? [:]
        var parameters = algorithm["parameters"]?.arrayValue ?? []
        if let index = parameters.firstIndex(where: { $0["name"]?.stringValue == name }) {
            var parameter = parameters[index].objectValue ?? [:]
            parameter["value"] = value
            parameters[index] = .object(parameter)
        } else {
            parameters.append(.object(["name": .string(name), "value": value]))
        }
        algorithm["parameters"] = .array(parameters)
        root["algorithm"] = .object(algorithm)
        return .object(root)
    }

    private func set(_ newValue: JSONValue, at remaining: ArraySlice<String>, in node: JSONValue) throws(FieldOverrideError) -> JSONValue {
        guard let key = remaining.first else { return newValue }
        let rest = remaining.dropFirst()
        switch node {
        case .array(var elements):
            guard let index = Int(key), elements.indices.contains(index) else {
                throw FieldOverrideError(path: path, problem: "\(key) is not an index of a list of \(elements.count)")
            }
            elements[index] = try set(newValue, at: rest, in: elements[index])
            return .array(elements)
        case .object(var members):
            members[key] = try set(newValue, at: rest, in: members[key] ?? .object([:]))
            return .object(members)
        case .null:
            return .object([key: try set(newValue, at: rest, in: .object([:]))])
        default:
            throw FieldOverrideError(path: path, problem: "goes through \(key)'s parent, a \(node.typeName), not an object")
        }
    }
}

/// An override that cannot be made, with the path it names.
public struct FieldOverrideError: Error, Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let problem: String

    public var description: String { "\(path): \(problem)" }
}
