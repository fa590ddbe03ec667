import Foundation
import JSONTree
import Testing
@testable import ModelArtsSimulator

@Suite struct TrainingJobScenarioTests {
    @Test func parsesSeededJobsAndOutcomes() throws {
        let scenario = try Scenario.parse(Data("""
            {"training_jobs": [{"id": "0B9E2C4D-7F1A-4C3B-8E5D-6A2F1B3C4D5E", "job": {"kind": "job", "metadata": {"name": "old"}}, "phase": "Pending"},
                               {"id": "11111111-2222-3333-4444-555555555555", "job": {"kind": "job", "metadata": {"name": "older"}}}],
             "job_outcomes": {"nightly": "flap", "stuck": "pending_forever"},
             "faults": [{"on": "job_search", "kind": "error", "status": 500}]}
            """.utf8))
        #expect(scenario.trainingJobs?.count == 2)
        #expect(scenario.trainingJobs?[0].id == "0b9e2c4d-7f1a-4c3b-8e5d-6a2f1b3c4d5e")
        #expect(scenario.trainingJobs?[0].phase == .pending)
        #expect(scenario.trainingJobs?[1].phase == .completed)
        #expect(scenario.trainingJobs?[1].job["metadata"]?["name"] == .string("older"))
        #expect(scenario.jobOutcomes == ["nightly": .flap, "stuck": .pendingForever])
        #expect(scenario.faults.first?.target == .jobSearch)
    }

    @Test(arguments: [
        (#"{"training_jobs": [{"job": {"kind": "job", "metadata": {"name": "x"}}}]}"#, "training_jobs[0].id"),
        (#"{"training_jobs": [{"id": "123", "job": {"kind": "job", "metadata": {"name": "x"}}}]}"#, "training_jobs[0].id"),
        (#"{"training_jobs": [{"id": "11111111-2222-3333-4444-555555555555"}]}"#, "training_jobs[0].job"),
        (#"{"training_jobs": [{"id": "11111111-2222-3333-4444-555555555555", "job": {"kind": "job", "metadata": {}}}]}"#, "training_jobs[0].job"),
        (#"{"training_jobs": [{"id": "11111111-2222-3333-4444-555555555555", "job": {"kind": "job", "metadata": {"name": "x"}}, "phase": "Running"}]}"#, "training_jobs[0].phase"),
        (#"{"training_jobs": [{"id": "11111111-2222-3333-4444-555555555555", "job": {"kind": "job", "metadata": {"name": "x"}}, "colour": 1}]}"#, "training_jobs[0].colour"),
        (#"{"job_outcomes": {"nightly": "exploded"}}"#, "job_outcomes.nightly"),
        (#"{"job_outcomes": {"nightly": 11}}"#, "job_outcomes.nightly"),
        (#"{"job_outcomes": {"": "failed"}}"#, "job_outcomes."),
    ])
    func namesTheFieldAtFault(json: String, field: String) {
        #expect {
            try Scenario.parse(Data(json.utf8))
        } throws: { error in
            (error as? ScenarioError)?.field == field
        }
    }

    @Test func theDefaultSeededJobIsAValidCreateBody() throws {
        let seeded = try #require(Scenario.defaultTrainingJobs.first)
        #expect(seeded.id == Scenario.defaultTrainingJobID)
        #expect(Scenario.isUUID(seeded.id))
        #expect(try CreateTrainingJobBody.validate(seeded.job).name == "trainq-seed-job")
    }
}
