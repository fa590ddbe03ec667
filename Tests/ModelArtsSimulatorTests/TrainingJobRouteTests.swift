import Foundation
import JSONTree
import NIOHTTP1
import Testing
@testable import ModelArtsSimulator

@Suite struct TrainingJobRouteTests {
    @Test func createAnswers201WithTheWholeJobAndShowReturnsIt() async throws {
        let clock = ClockBox()
        try await ModelArtsSimulator.withRunning(.init(), clock: clock.read) { _, port in
            let http = TestHTTP(port: port)
            let created = try await http.createJob(name: "trainq-01hx7k2m9q")
            #expect(created.status == 201)
            let id = try #require(created.jobID)
            #expect(Scenario.isUUID(id))
            #expect(id == id.lowercased())
            let json = try #require(created.json)
            #expect(json["kind"] == .string("job"))
            #expect(json["metadata"]?["name"] == .string("trainq-01hx7k2m9q"))
            #expect(json["metadata"]?["description"] == .string("retrain of job A"))
            #expect(json["metadata"]?["workspace_id"] == .string("0"))
            #expect(json["metadata"]?["create_time"] == .integer(clock.read()))
            #expect(json["metadata"]?["user_name"]?.stringValue?.isEmpty == false)
            #expect(json["metadata"]?["annotations"] == .object([:]))
            #expect(json["status"]?["phase"] == .string("Creating"))
            #expect(json["status"]?["secondary_phase"] == .string("Creating"))
            #expect(json["status"]?["duration"] == .integer(0))
            #expect(json["status"]?["start_time"] == .integer(0))
            #expect(json["status"]?["tasks"] == .array([.string("worker-0")]))
            #expect(json["status"]?["node_count_metrics"] == .null)
            // The algorithm as sent, except environments: a list of maps in responses.
            #expect(json["algorithm"]?["code_dir"] == .string("/bucket/app/"))
            #expect(json["algorithm"]?["parameters"]?.arrayValue?.first?["name"] == .string("learning_rate"))
            #expect(json["algorithm"]?["environments"] == .array([.object(["A_VAR": .string("1")]), .object(["B_VAR": .string("2")])]))
            #expect(json["spec"]?["resource"]?["flavor_id"] == .string("modelarts.p3.large.public.free"))
            #expect(json["spec"]?["resource"]?["flavor_name"]?.stringValue?.isEmpty == false)
            #expect(json["spec"]?["log_export_path"]?["obs_url"] == .string("/bucket/log/"))
            #expect(json["endpoints"] == nil)

            let shown = try await http.showJob(id)
            #expect(shown.status == 200)
            #expect(shown.json == created.json)
            clock.advance(milliseconds: 20_000)
            let running = try await http.showJob(id)
            #expect(running.phase == "Running")
            #expect(running.json?["status"]?["start_time"] == .integer(clock.read() - 5_000))
            #expect(running.json?["status"]?["duration"] == .integer(5_000))

            let ledger = try await http.ledger()
            let entry = try #require(ledger["training_jobs"]?.arrayValue?.first)
            #expect(entry["id"] == .string(id))
            #expect(entry["name"] == .string("trainq-01hx7k2m9q"))
            #expect(entry["kind"] == .string("job"))
            #expect(entry["phase"] == .string("Running"))
            #expect(entry["deleted"] == .bool(false))
            #expect(entry["response_lost"] == .bool(false))
            #expect(entry["last_read_at"] == .integer(clock.read()))
            let sent = try JSONValue.parse(Data(TestHTTP.jobBody(name: "trainq-01hx7k2m9q").utf8))
            #expect(entry["body"] == sent)
            #expect(ledger["requests"]?["job_create"] == .integer(1))
            #expect(ledger["requests"]?["job_show"] == .integer(2))
            #expect(ledger["versions"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test func tasksFollowTheNodeCountAndEndpointsAreEchoed() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            let created = try await http.send(.POST, TestHTTP.trainingJobsPath, body: """
                {"kind":"job","metadata":{"name":"two-nodes"},"spec":{"resource":{"flavor_id":"f"}},\
                "endpoints":{"ssh":{"key_pair_names":["kp"]}},"algorithm":{"command":"python x.py","engine":{"image_url":"swr/img:1"}}}
                """)
            #expect(created.status == 201)
            #expect(created.json?["endpoints"]?["ssh"]?["key_pair_names"] == .array([.string("kp")]))
            #expect(created.json?["spec"]?["resource"]?["node_count"] == .integer(1))
            let twoNodes = try await http.send(.POST, TestHTTP.trainingJobsPath, body: TestHTTP.jobBody(name: "two", nodeCount: 2))
            #expect(twoNodes.json?["status"]?["tasks"] == .array([.string("worker-0"), .string("worker-1")]))
        }
    }

    @Test func aNameInUseIsRefusedWith2751UntilItsJobIsGone() async throws {
        let clock = ClockBox()
        try await ModelArtsSimulator.withRunning(.init(), clock: clock.read) { _, port in
            let http = TestHTTP(port: port)
            let first = try await http.createJob(name: "nightly")
            let id = try #require(first.jobID)
            let duplicate = try await http.createJob(name: "nightly")
            #expect(duplicate.status == 400)
            #expect(duplicate.errorCode == "ModelArts.2751")
            #expect(duplicate.json?["error_msg"]?.stringValue?.contains("nightly") == true)
            #expect(duplicate.json?["error_solution"]?.stringValue != nil)
            #expect(duplicate.json?["is_success"] == nil)
            // The seeded job's name is taken too.
            #expect(try await http.createJob(name: "trainq-seed-job").errorCode == "ModelArts.2751")

            #expect(try await http.deleteJob(id).status == 202)
            // Deletion is asynchronous: the name is still held while the job is readable.
            #expect(try await http.createJob(name: "nightly").errorCode == "ModelArts.2751")
            clock.advance(milliseconds: 10_000)
            #expect(try await http.createJob(name: "nightly").status == 201)
            #expect(try await http.ledger()["training_jobs"]?.arrayValue?.count == 2)
        }
    }

    @Test func deleteAnswers202EmptyThenTheJobReadsAsNotFound() async throws {
        let clock = ClockBox()
        try await ModelArtsSimulator.withRunning(.init(timeScale: 2), clock: clock.read) { _, port in
            let http = TestHTTP(port: port)
            let id = try #require(try await http.createJob(name: "short-lived").jobID)
            let deleted = try await http.deleteJob(id)
            #expect(deleted.status == 202)
            #expect(deleted.bodyText.isEmpty)
            #expect(try await http.showJob(id).status == 200)
            // Ten simulated seconds at time scale 2.
            clock.advance(milliseconds: 4_999)
            #expect(try await http.showJob(id).status == 200)
            #expect(try await http.deleteJob(id).status == 202)
            clock.advance(milliseconds: 1)
            let gone = try await http.showJob(id)
            #expect(gone.status == 400)
            #expect(gone.errorCode == "ModelArts.2775")
            #expect(gone.json?["error_msg"]?.stringValue?.contains(id) == true)
            #expect(try await http.deleteJob(id).errorCode == "ModelArts.2775")
            #expect(try await http.terminateJob(id).errorCode == "ModelArts.2775")
            #expect(TestHTTP.names(try await http.searchJobs()) == ["trainq-seed-job"])
            let entry = try await http.ledger()["training_jobs"]?.arrayValue?.first
            #expect(entry?["deleted"] == .bool(true))
            #expect(try await http.ledger()["requests"]?["job_delete"] == .integer(3))
        }
    }

    @Test func anUnknownJobIs2775() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            for id in ["00000000-0000-0000-0000-000000000000", "not-a-uuid"] {
                let reply = try await http.showJob(id)
                #expect(reply.status == 400)
                #expect(reply.errorCode == "ModelArts.2775")
                #expect(reply.json?["error_solution"]?.stringValue != nil)
            }
        }
    }

    @Test func terminateAnswers202TerminatingThenTerminatedAndRefusesAnEndedJob() async throws {
        let clock = ClockBox()
        try await ModelArtsSimulator.withRunning(.init(), clock: clock.read) { _, port in
            let http = TestHTTP(port: port)
            let id = try #require(try await http.createJob(name: "to-stop").jobID)
            clock.advance(milliseconds: 30_000)
            let stopping = try await http.terminateJob(id)
            #expect(stopping.status == 202)
            #expect(stopping.phase == "Terminating")
            #expect(stopping.json?["status"]?["secondary_phase"] == .string("Terminating"))
            #expect(stopping.jobID == id)
            // Terminating again is harmless.
            #expect(try await http.terminateJob(id).status == 202)
            clock.advance(milliseconds: 5_000)
            let stopped = try await http.showJob(id)
            #expect(stopped.phase == "Terminated")
            #expect(stopped.json?["status"]?["duration"] == .integer(20_000))

            let refused = try await http.terminateJob(id)
            #expect(refused.status == 409)
            #expect(refused.errorCode == "ModelArts.2796")
            let seeded = try await http.terminateJob(Scenario.defaultTrainingJobID)
            #expect(seeded.status == 409)
            #expect(seeded.errorCode == "ModelArts.2796")
            #expect(try await http.ledger()["requests"]?["job_action"] == .integer(4))
        }
    }

    @Test func otherActionsAreRefused() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            let id = try #require(try await http.createJob(name: "act").jobID)
            let unknown = try await http.terminateJob(id, actionType: "pause")
            #expect(unknown.status == 400)
            #expect(unknown.errorCode == "ModelArts.2788")
            #expect(unknown.json?["error_msg"] == .string("Invalid parameter(action_type must be one of [terminate restart])"))
            let missing = try await http.send(.POST, TestHTTP.trainingJobsPath + "/\(id)/actions", body: "{}")
            #expect(missing.errorCode == "ModelArts.2788")
            let restart = try await http.terminateJob(id, actionType: "restart")
            #expect(restart.status == 409)
            #expect(restart.errorCode == "ModelArts.2813")
            let notJSON = try await http.send(.POST, TestHTTP.trainingJobsPath + "/\(id)/actions", body: "{")
            #expect(notJSON.errorCode == "ModelArts.2787")
            #expect(try await http.showJob(id).phase == "Creating")
        }
    }

    @Test(arguments: [
        ("{not json", "ModelArts.2787"),
        ("[1,2]", "ModelArts.2787"),
        (#"{"metadata":{"name":"x"}}"#, "ModelArts.2788"),
        (#"{"kind":"job"}"#, "ModelArts.2788"),
        (#"{"kind":"job","metadata":{}}"#, "ModelArts.2788"),
        (#"{"kind":"job","metadata":{"name":""}}"#, "ModelArts.2788"),
        (#"{"kind":"job","metadata":{"name":"has space"}}"#, "ModelArts.2788"),
        (#"{"kind":"job","metadata":{"name":"naïve"}}"#, "ModelArts.2788"),
        (#"{"kind":"job","metadata":{"name":"\#(String(repeating: "a", count: 65))"}}"#, "ModelArts.2788"),
        (#"{"kind":7,"metadata":{"name":"x"}}"#, "ModelArts.2788"),
    ])
    func createRejectsWhatTheServiceRejects(body: String, code: String) async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            let reply = try await http.send(.POST, TestHTTP.trainingJobsPath, body: body)
            #expect(reply.status == 400)
            #expect(reply.errorCode == code)
            #expect(reply.json?["error_msg"]?.stringValue != nil)
            #expect(try await http.ledger()["training_jobs"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test func theLongestNameIsAcceptedAndABadProjectIsAGatewayNotFound() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            #expect(try await http.createJob(name: String(repeating: "a", count: 64)).status == 201)
            let badProject = try await http.send(.POST, "/v2/NOT-A-PROJECT/training-jobs", body: TestHTTP.jobBody(name: "x"))
            #expect(badProject.status == 404)
            #expect(badProject.errorCode == "APIGW.0101")
            #expect(try await http.send(.PUT, TestHTTP.searchesPath, body: "{}").status == 404)
        }
    }

    @Test func theDefaultWorldHasOneCompletedSeededJobToCopy() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            let seeded = try await http.showJob(Scenario.defaultTrainingJobID)
            #expect(seeded.status == 200)
            #expect(seeded.phase == "Completed")
            #expect(seeded.json?["metadata"]?["name"] == .string("trainq-seed-job"))
            #expect(seeded.json?["status"]?["duration"] == .integer(90_000))
            #expect(seeded.json?["algorithm"]?["boot_file"] == .string("/trainq-bucket/app/train.py"))
            #expect(seeded.json?["algorithm"]?["inputs"]?.arrayValue?.first?["name"] == .string("data_url"))
            #expect(seeded.json?["spec"]?["resource"]?["node_count"] == .integer(1))
            #expect(seeded.json?["spec"]?["log_export_path"]?["obs_url"] == .string("/trainq-bucket/logs/"))
            // Copying it into a new job works once the name changes.
            var body = try #require(Scenario.defaultTrainingJobs.first?.job.objectValue)
            body["metadata"] = .object(["name": .string("trainq-copy")])
            let copy = try await http.send(.POST, TestHTTP.trainingJobsPath, body: String(decoding: JSONValue.object(body).canonicalData(), as: UTF8.self))
            #expect(copy.status == 201)
            // Seeded jobs are not in the ledger.
            #expect(try await http.ledger()["training_jobs"]?.arrayValue?.count == 1)
        }
    }

    @Test func scenarioSeedsReplaceTheDefaultJob() async throws {
        let id = "0b9e2c4d-7f1a-4c3b-8e5d-6a2f1b3c4d5e"
        let scenario = Scenario(trainingJobs: [
            .init(id: id, job: .object(["kind": .string("job"), "metadata": .object(["name": .string("queued")])]), phase: .pending),
            .init(id: "11111111-2222-3333-4444-555555555555", job: .object(["kind": .string("job"), "metadata": .object(["name": .string("broken")])]), phase: .abnormal),
            .init(id: "21111111-2222-3333-4444-555555555555", job: .object(["kind": .string("job"), "metadata": .object(["name": .string("stopped")])]), phase: .terminated),
            .init(id: "31111111-2222-3333-4444-555555555555", job: .object(["kind": .string("job"), "metadata": .object(["name": .string("bad")])]), phase: .failed),
        ])
        try await ModelArtsSimulator.withRunning(.init(scenario: scenario)) { _, port in
            let http = TestHTTP(port: port)
            let gone = try await http.showJob(Scenario.defaultTrainingJobID)
            let queued = try await http.showJob(id)
            let broken = try await http.showJob("11111111-2222-3333-4444-555555555555")
            let stopped = try await http.showJob("21111111-2222-3333-4444-555555555555")
            let failed = try await http.showJob("31111111-2222-3333-4444-555555555555")
            let terminate = try await http.terminateJob(id)
            let ledger = try await http.ledger()
            #expect(gone.errorCode == "ModelArts.2775")
            #expect(queued.phase == "Pending")
            #expect(broken.json?["status"]?["secondary_phase"] == .string("CreateFailed"))
            #expect(stopped.phase == "Terminated")
            #expect(failed.phase == "Failed")
            #expect(terminate.status == 202)
            #expect(ledger["training_jobs"]?.arrayValue?.isEmpty == true)
        }
    }
}
