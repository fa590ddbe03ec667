import JSONTree

extension FaultRule {
    /// Parses `[F, ...]` as `POST /_sim/faults` and the scenario's `faults` take it.
    static func parseList(_ values: [JSONValue], path: String) throws(ScenarioError) -> [FaultRule] {
        try values.enumerated().map { (index, value) throws(ScenarioError) in
            try FaultRule(json: value, path: "\(path)[\(index)]")
        }
    }

    init(json: JSONValue, path: String) throws(ScenarioError) {
        let reader = try JSONObjectReader(json, path: path)
        try reader.rejectUnknownKeys(allowed: [
            "on", "kind", "status", "error_code", "message", "body", "retry_after", "delay_ms", "count", "probability",
        ])
        let targets = Target.allCases.map(\.rawValue).joined(separator: ", ")
        guard let on = try reader.string("on") else { throw .invalidField(reader.field("on"), "is required (\(targets))") }
        guard let target = Target(rawValue: on) else {
            throw .invalidField(reader.field("on"), "expected one of \(targets), got \"\(on)\"")
        }
        let kinds = Kind.allCases.map(\.rawValue).joined(separator: ", ")
        guard let kindName = try reader.string("kind") else { throw .invalidField(reader.field("kind"), "is required (\(kinds))") }
        guard let kind = Kind(rawValue: kindName) else {
            throw .invalidField(reader.field("kind"), "expected one of \(kinds), got \"\(kindName)\"")
        }
        let probability = try reader.number("probability") ?? 1
        guard (0...1).contains(probability) else {
            throw .invalidField(reader.field("probability"), "must be between 0 and 1")
        }
        self.init(
            target: target,
            kind: kind,
            status: try reader.integer("status", in: kind == .respond ? 200...599 : 400...599).map { Int($0) },
            errorCode: try reader.string("error_code"),
            message: try reader.string("message"),
            body: try reader.string("body"),
            retryAfter: try reader.integer("retry_after", in: 0...86_400).map { Int($0) },
            delayMilliseconds: try reader.integer("delay_ms", in: 0...600_000).map { Int($0) },
            count: try reader.integer("count", in: 1...1_000_000).map { Int($0) },
            probability: probability
        )
        if kind == .respond, body == nil {
            throw .invalidField(reader.field("body"), "is required for kind respond")
        }
        if kind == .delay, delayMilliseconds == nil {
            throw .invalidField(reader.field("delay_ms"), "is required for kind delay")
        }
    }
}

extension FaultRule {
    /// The rule as the control API shows it (same field names it accepts).
    var json: JSONValue {
        var members: [String: JSONValue] = [
            "on": .string(target.rawValue), "kind": .string(kind.rawValue), "probability": .number(probability),
        ]
        if let status { members["status"] = .integer(Int64(status)) }
        if let errorCode { members["error_code"] = .string(errorCode) }
        if let message { members["message"] = .string(message) }
        if let body { members["body"] = .string(body) }
        if let retryAfter { members["retry_after"] = .integer(Int64(retryAfter)) }
        if let delayMilliseconds { members["delay_ms"] = .integer(Int64(delayMilliseconds)) }
        if let count { members["count"] = .integer(Int64(count)) }
        return .object(members)
    }
}
