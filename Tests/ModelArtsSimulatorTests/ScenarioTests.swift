import Foundation
import Testing
@testable import ModelArtsSimulator

@Suite struct ScenarioTests {
    @Test func parsesFaultsJobsAndOutcomes() throws {
        let scenario = try Scenario.parse(Data("""
            {"faults": [{"on": "create", "kind": "error", "status": 503, "error_code": "ModelArts.4700", "retry_after": 2, "count": 2},
                        {"on": "any", "kind": "delay", "delay_ms": 500, "probability": 0.25},
                        {"on": "create", "kind": "lost_response", "status": 504}],
             "jobs": [{"job_id": 7, "job_name": "nightly", "versions": [70, 71]}],
             "outcomes": {"72": 11}}
            """.utf8))
        #expect(scenario.faults.count == 3)
        #expect(scenario.faults[0] == FaultRule(target: .create, kind: .error, status: 503, errorCode: "ModelArts.4700", retryAfter: 2, count: 2))
        #expect(scenario.faults[1].probability == 0.25)
        #expect(scenario.faults[2].kind == .lostResponse)
        #expect(scenario.jobs == [Scenario.Job(jobID: 7, jobName: "nightly", versions: [70, 71])])
        #expect(scenario.outcomes == [72: 11])
    }

    @Test(arguments: [
        (#"{"faults": [{"on": "everything", "kind": "error"}]}"#, "faults[0].on"),
        (#"{"faults": [{"on": "create", "kind": "explode"}]}"#, "faults[0].kind"),
        (#"{"faults": [{"on": "create", "kind": "delay"}]}"#, "faults[0].delay_ms"),
        (#"{"faults": [{"on": "create", "kind": "error", "status": 200}]}"#, "faults[0].status"),
        (#"{"faults": [{"on": "create", "kind": "error", "probability": 2}]}"#, "faults[0].probability"),
        (#"{"faults": [{"on": "create", "kind": "error", "count": "two"}]}"#, "faults[0].count"),
        (#"{"faults": [{"on": "create", "kind": "error", "colour": "red"}]}"#, "faults[0].colour"),
        (#"{"jobs": [{"versions": [1]}]}"#, "jobs[0].job_id"),
        (#"{"outcomes": {"21": 8}}"#, "outcomes.21"),
        (#"{"outcomes": {"abc": 11}}"#, "outcomes.abc"),
        (#"{"surprise": 1}"#, "surprise"),
    ])
    func namesTheFieldAtFault(json: String, field: String) {
        #expect {
            try Scenario.parse(Data(json.utf8))
        } throws: { error in
            (error as? ScenarioError)?.field == field
        }
    }

    @Test func rejectsADocumentThatIsNotJSON() {
        #expect(throws: ScenarioError.self) { try Scenario.parse(Data("{faults".utf8)) }
    }

    @Test func aMissingFileIsAReadableError() {
        #expect {
            try Scenario.load(path: FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID()).json").path)
        } throws: { error in
            "\(error)".contains("cannot read")
        }
    }
}

@Suite struct ConfigurationTests {
    @Test func theDescriptionNamesKeysButNoSecrets() {
        let configuration = SimulatorConfiguration(
            accessKeys: ["AK-VISIBLE": "sk-hidden"], iamUser: IAMUser(domain: "acme", name: "trainer", password: "pw-hidden"))
        let text = "\(configuration)"
        #expect(text.contains("AK-VISIBLE"))
        #expect(text.contains("trainer"))
        #expect(!text.contains("sk-hidden"))
        #expect(!text.contains("pw-hidden"))
        #expect(configuration.requiresAuthentication)
        #expect(!SimulatorConfiguration().requiresAuthentication)
    }
}
