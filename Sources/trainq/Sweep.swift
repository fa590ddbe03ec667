import JSONTree

/// `--set PATH=V1,V2,...`: a field of the submission and the values it takes. Several of them make a
/// grid; the Python client's `expand_sweep` follows the same rules, so a sweep means the same thing
/// from a shell and from a notebook.
struct SweepAssignment: Equatable {
    /// The dotted path into the submission object, e.g. `config.worker_server_num`.
    var path: [String]
    /// Set when the path is `config.parameter.<label>`: the running parameter with that label.
    var parameterLabel: String?
    var values: [JSONValue]

    /// The most combinations one sweep may make: the batch limit of trainqd.
    static let maximumCombinations = 1000

    /// Parses `PATH=V1,V2`. A value that reads as JSON (`0.01`, `2`, `true`, `"a,b"`, `[1,2]`) is that
    /// JSON; anything else is the text itself. A running parameter's value is always a string, as
    /// ModelArts wants it: the text as written (or the content of a quoted string).
    init(parsing text: String) throws(CLIError) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw CLIError(.usage, "--set '\(text)' must look like PATH=VALUE[,VALUE...], e.g. config.worker_server_num=1,2")
        }
        let pathText = String(text[..<equals])
        path = pathText.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !path.contains(where: \.isEmpty) else {
            throw CLIError(.usage, "--set '\(pathText)' has an empty name between its dots")
        }
        let parameterPrefix = "config.parameter."
        let label = pathText.hasPrefix(parameterPrefix) ? String(pathText.dropFirst(parameterPrefix.count)) : nil
        parameterLabel = label
        let pieces = Self.splitValues(String(text[text.index(after: equals)...]))
        values = pieces.map { piece in
            let parsed = try? JSONValue.parse(Array(piece.utf8))
            guard label != nil else { return parsed ?? .string(piece) }
            if case .string(let string)? = parsed { return .string(string) }
            return .string(piece)
        }
    }

    /// Splits on commas outside quotes and brackets, so `"a,b"` and `[1,2]` stay one value.
    static func splitValues(_ text: String) -> [String] {
        var values: [String] = []
        var current = ""
        var depth = 0
        var inString = false
        var escaped = false
        for character in text {
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
            } else if character == "\"" {
                inString = true
            } else if character == "[" || character == "{" {
                depth += 1
            } else if character == "]" || character == "}" {
                depth = max(0, depth - 1)
            } else if character == "," && depth == 0 {
                values.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        values.append(current)
        return values
    }

    /// Every combination of the assignments laid over `base`, the first assignment varying slowest.
    static func expand(_ base: JSONValue, _ assignments: [SweepAssignment]) throws(CLIError) -> [JSONValue] {
        let count = assignments.reduce(1) { $0 * $1.values.count }
        guard count <= maximumCombinations else {
            throw CLIError(.usage, "the --set grid makes \(count) submissions; one batch takes at most \(maximumCombinations)")
        }
        var documents = [base]
        for assignment in assignments {
            var next: [JSONValue] = []
            next.reserveCapacity(documents.count * assignment.values.count)
            for document in documents {
                for value in assignment.values {
                    next.append(try assignment.apply(value, to: document))
                }
            }
            documents = next
        }
        return documents
    }

    func apply(_ value: JSONValue, to document: JSONValue) throws(CLIError) -> JSONValue {
        if let parameterLabel {
            var parameters = document.objectValue?["config"]?.objectValue?["parameter"]?.arrayValue ?? []
            let entry = JSONValue.object(["label": .string(parameterLabel), "value": value])
            if let index = parameters.firstIndex(where: { $0.objectValue?["label"]?.stringValue == parameterLabel }) {
                parameters[index] = entry
            } else {
                parameters.append(entry)
            }
            return try Self.setting(.array(parameters), at: ["config", "parameter"][...], in: document, whole: "config.parameter")
        }
        return try Self.setting(value, at: path[...], in: document, whole: path.joined(separator: "."))
    }

    private static func setting(_ value: JSONValue, at path: ArraySlice<String>, in document: JSONValue, whole: String) throws(CLIError) -> JSONValue {
        guard let name = path.first else { return value }
        guard var members = document.objectValue else {
            throw CLIError(.usage, "--set \(whole): the field before '\(name)' is \(document.typeName), not an object")
        }
        members[name] = try setting(value, at: path.dropFirst(), in: members[name] ?? .object([:]), whole: whole)
        return .object(members)
    }
}
