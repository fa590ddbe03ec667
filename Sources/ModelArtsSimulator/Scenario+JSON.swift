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
        try reader.rejectUnknownKeys(allowed: ["faults", "jobs", "outcomes", "training_jobs", "job_outcomes"])
        var scenario = Scenario()
        scenario.faults = try FaultRule.parseList(reader.array("faults") ?? [], path: "faults")
        if let jobs = try reader.array("jobs") {
            scenario.jobs = try jobs.enumerated().map { (index, job) throws(ScenarioError) in
                try Job(json: job, path: "jobs[\(index)]")
            }
        }
        for (key, value) in try reader.object("outcomes") ?? [:] {
            guard let versionID = Int64(key), versionID > 0 else {
                throw .invalidField("outcomes.\(key)", "expected a numeric version id as key")
            }
            guard let status = value.int64Value, let outcome = Int(exactly: status) else {
                throw .invalidField("outcomes.\(key)", "expected integer status, got \(value.typeName)")
            }
            try VersionOutcome.validate(outcome, field: "outcomes.\(key)")
            scenario.outcomes[versionID] = outcome
        }
        if let trainingJobs = try reader.array("training_jobs") {
            scenario.trainingJobs = try trainingJobs.enumerated().map { (index, job) throws(ScenarioError) in
                try TrainingJob(json: job, path: "training_jobs[\(index)]")
            }
        }
        for (key, value) in try reader.object("job_outcomes") ?? [:] {
            guard !key.isEmpty else { throw .invalidField("job_outcomes.\(key)", "expected a non-empty name substring as key") }
            scenario.jobOutcomes[key] = try TrainingJobOutcome.parse(value, field: "job_outcomes.\(key)")
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
        guard let jobID = try reader.integer("job_id", in: 1...Int64.max) else {
            throw .invalidField(reader.field("job_id"), "is required")
        }
        let versions = try (reader.array("versions") ?? []).enumerated().map { (index, value) throws(ScenarioError) in
            guard let id = value.int64Value, id > 0 else {
                throw .invalidField(reader.field("versions[\(index)]"), "expected a positive integer version id")
            }
            return id
        }
        self.init(jobID: jobID, jobName: try reader.string("job_name"), jobDesc: try reader.string("job_desc"), versions: versions)
    }
}
