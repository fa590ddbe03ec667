import Foundation
import JSONTree

extension Scenario {
    /// Parses a scenario document; every problem names its field.
    public static func parse(_ data: Data) throws(ScenarioError) -> Scenario {
        let document: JSONValue
        do {
            document = try JSONValue.parse(data)
        } catch {
            throw .notJSON("the scenario is not valid JSON")
        }
        let reader = try JSONObjectReader(document, path: "")
        try reader.rejectUnknownKeys(allowed: ["faults", "jobs", "outcomes"])
        var scenario = Scenario()
        scenario.faults = try FaultRule.parseList(reader.array("faults") ?? [], path: "faults")
        if let jobs = try reader.array("jobs") {
            scenario.jobs = try jobs.enumerated().map { (index, job) throws(ScenarioError) in
                try Job(json: job, path: "jobs[\(index)]")
            }
        }
        for (key, value) in try reader.object("outcomes") ?? [:] {
            guard let versionId = Int64(key), versionId > 0 else {
                throw .invalidField("outcomes.\(key)", "expected a numeric version id as key")
            }
            guard let status = value.int64Value, let outcome = Int(exactly: status) else {
                throw .invalidField("outcomes.\(key)", "expected integer status, got \(value.typeName)")
            }
            try VersionOutcome.validate(outcome, field: "outcomes.\(key)")
            scenario.outcomes[versionId] = outcome
        }
        return scenario
    }

    /// Reads a scenario file.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableFile(path, error.localizedDescription)
        }
        return try parse(data)
    }
}

extension Scenario.Job {
    init(json: JSONValue, path: String) throws(ScenarioError) {
        let reader = try JSONObjectReader(json, path: path)
        try reader.rejectUnknownKeys(allowed: ["job_id", "job_name", "job_desc", "versions"])
        guard let jobId = try reader.integer("job_id", in: 1...Int64.max) else {
            throw .invalidField(reader.field("job_id"), "is required")
        }
        let versions = try (reader.array("versions") ?? []).enumerated().map { (index, value) throws(ScenarioError) in
            guard let id = value.int64Value, id > 0 else {
                throw .invalidField(reader.field("versions[\(index)]"), "expected a positive integer version id")
            }
            return id
        }
        self.init(jobId: jobId, jobName: try reader.string("job_name"), jobDesc: try reader.string("job_desc"), versions: versions)
    }
}

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
