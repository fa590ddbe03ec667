import JSONTree

/// `--set PATH=V1,V2,...`: a field of the submission and the values it takes. Several of them make a
/// grid; the Python client's `expand_sweep` follows the same rules, so a sweep means the same thing
/// from a shell and from a notebook.
struct SweepAssignment: Equatable {
    /// Where a `--set` lands in the submission object.
    enum Layout: Equatable {
        /// A v1 request: the path is under the submission; `config.parameter.LABEL` names a parameter.
        case v1
        /// A v2 job body: the path is under `job`; `algorithm.parameters.NAME` names a parameter.
        case v2Job
        /// A copy of a v2 job: each path is one key of `overrides`, which trainqd applies to the copy.
        case v2Copy
    }

    /// A running parameter, set by name in a list of `{key: name, value}`.
    struct NamedEntry: Equatable {
        var list: [String]
        var key: String
        var name: String
    }

    /// The path into the submission object, e.g. `config.worker_server_num` (one key for an override).
    var path: [String]
    /// Set when the path names a running parameter.
    var namedEntry: NamedEntry?
    var values: [JSONValue]

    /// The most combinations one sweep may make: the batch limit of trainqd.
    static let maximumCombinations = 1000

    /// Parses `PATH=V1,V2`. A value that reads as JSON (`0.01`, `2`, `true`, `"a,b"`, `[1,2]`) is that
    /// JSON; anything else is the text itself. A running parameter's value is always a string, as
    /// ModelArts wants it: the text as written (or the content of a quoted string).
    init(parsing text: String, layout: Layout = .v1) throws(CLIError) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw CLIError(.usage, "--set '\(text)' must look like PATH=VALUE[,VALUE...], e.g. config.worker_server_num=1,2")
        }
        let pathText = String(text[..<equals])
        let segments = pathText.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !segments.contains(where: \.isEmpty) else {
            throw CLIError(.usage, "--set '\(pathText)' has an empty name between its dots")
        }
        let (parameterPrefix, key) = layout == .v1 ? ("config.parameter.", "label") : ("algorithm.parameters.", "name")
        let parameter = pathText.hasPrefix(parameterPrefix) ? String(pathText.dropFirst(parameterPrefix.count)) : nil
        switch layout {
        case .v1:
            path = segments
            namedEntry = parameter.map { NamedEntry(list: ["config", "parameter"], key: key, name: $0) }
        case .v2Job:
            path = ["job"] + segments
            namedEntry = parameter.map { NamedEntry(list: ["job", "algorithm", "parameters"], key: key, name: $0) }
        case .v2Copy:
            // trainqd reads `algorithm.parameters.NAME` itself; the path stays one key.
            path = ["overrides", pathText]
            namedEntry = nil
        }
        let pieces = Self.splitValues(String(text[text.index(after: equals)...]))
        values = pieces.map { piece in
            let parsed = try? JSONValue.parse(Array(piece.utf8))
            guard parameter != nil else { return parsed ?? .string(piece) }
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
        if let namedEntry {
            var list = namedEntry.list.reduce(Optional(document)) { $0?.objectValue?[$1] }?.arrayValue ?? []
            let entry = JSONValue.object([namedEntry.key: .string(namedEntry.name), "value": value])
            if let index = list.firstIndex(where: { $0.objectValue?[namedEntry.key]?.stringValue == namedEntry.name }) {
                list[index] = entry
            } else {
                list.append(entry)
            }
            return try Self.setting(.array(list), at: namedEntry.list[...], in: document, whole: namedEntry.list.joined(separator: "."))
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
