import JSONTree
import NIOCore
import NIOHTTP1
import Testing
@testable import ModelArtsSimulator

@Suite struct TrainingJobFaultTests {
    static func jobEntries(_ http: TestHTTP) async throws -> [JSONValue] {
        try await http.ledger()["training_jobs"]?.arrayValue ?? []
    }

    @Test func aLostCreateAnswerStillCreatesTheJobAndTheLedgerSaysSo() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            _ = try await http.setFaults(#"{"faults":[{"on":"job_create","kind":"lost_response","count":1}]}"#)
            await #expect(throws: (any Error).self) { try await http.createJob(name: "trainq-item-42") }
            let entries = try await Self.jobEntries(http)
            #expect(entries.count == 1)
            #expect(entries.first?["response_lost"] == .bool(true))
            #expect(entries.first?["name"] == .string("trainq-item-42"))
            // What a client reconciles with: search by name finds it, a second create is a duplicate.
            let found = try await http.searchJobs(#"{"filters":[{"key":"name","operator":"like","value":["trainq-item-42"]}]}"#)
            #expect(found.json?["items"]?.arrayValue?.first?["metadata"]?["id"] == entries.first?["id"])
            #expect(try await http.createJob(name: "trainq-item-42").errorCode == "ModelArts.2751")
        }
    }

    @Test func aLostCreateAnswerWithAStatusIsAGatewayTimeout() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            _ = try await http.setFaults(#"{"faults":[{"on":"job_create","kind":"lost_response","status":504,"count":1}]}"#)
            let reply = try await http.createJob(name: "timed-out")
            #expect(reply.status == 504)
            #expect(reply.errorCode == "APIGW.0201")
            #expect(reply.json?["request_id"]?.stringValue == reply.requestID)
            #expect(try await Self.jobEntries(http).first?["response_lost"] == .bool(true))
        }
    }

    @Test func errorFaultsComeInTheV2ShapeWithV2Codes() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            _ = try await http.setFaults("""
                {"faults":[{"on":"job_show","kind":"error","status":500,"count":1},\
                {"on":"job_search","kind":"error","status":409,"count":1},\
                {"on":"job_action","kind":"error","status":400,"error_code":"ModelArts.2815","message":"quota","count":1},\
                {"on":"job_delete","kind":"error","status":429,"count":1}]}
                """)
            let show = try await http.showJob(Scenario.defaultTrainingJobID)
            #expect(show.status == 500)
            #expect(show.errorCode == "ModelArts.2950")
            #expect(show.json?["error_msg"]?.stringValue != nil)
            #expect(show.json?["error_solution"]?.stringValue != nil)
            #expect(show.json?["is_success"] == nil)
            let search = try await http.searchJobs()
            #expect(search.status == 409)
            #expect(search.errorCode == "ModelArts.2878")
            let action = try await http.terminateJob(Scenario.defaultTrainingJobID)
            #expect(action.status == 400)
            #expect(action.errorCode == "ModelArts.2815")
            #expect(action.json?["error_msg"] == .string("quota"))
            let delete = try await http.deleteJob(Scenario.defaultTrainingJobID)
            #expect(delete.status == 429)
            #expect(delete.errorCode == "APIGW.0308")
            #expect(delete.json?["request_id"] != nil)
            // Each was spent once; the seeded job is intact.
            #expect(try await http.showJob(Scenario.defaultTrainingJobID).status == 200)
            let requests = try await http.ledger()["requests"]
            #expect(requests?["faults"] == .integer(4))
            #expect(requests?["job_show"] == .integer(2))
        }
    }

    @Test func anyCoversTheV2RoutesAndV1TargetsDoNot() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            _ = try await http.setFaults(#"{"faults":[{"on":"create","kind":"error","status":503},{"on":"show","kind":"error","status":503}]}"#)
            #expect(try await http.createJob(name: "untouched").status == 201)
            #expect(try await http.showJob(Scenario.defaultTrainingJobID).status == 200)
            _ = try await http.setFaults(#"{"faults":[{"on":"any","kind":"error","status":503,"count":2}]}"#)
            let create = try await http.createJob(name: "hit")
            #expect(create.status == 503)
            #expect(create.errorCode == "ModelArts.4700")
            #expect(create.json?["error_solution"]?.stringValue != nil)
            #expect(try await http.searchJobs().status == 503)
            #expect(try await http.searchJobs().status == 200)
            #expect(try await Self.jobEntries(http).count == 1)
        }
    }

    @Test func aResetCreatesNothingAndARespondFaultAnswersVerbatim() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            _ = try await http.setFaults(#"{"faults":[{"on":"job_create","kind":"reset","count":1}]}"#)
            await #expect(throws: (any Error).self) { try await http.createJob(name: "reset") }
            #expect(try await Self.jobEntries(http).isEmpty)
            _ = try await http.setFaults(#"{"faults":[{"on":"job_show","kind":"respond","status":200,"body":"{\"kind\":\"job\"}","count":1}]}"#)
            let odd = try await http.showJob(Scenario.defaultTrainingJobID)
            #expect(odd.bodyText == #"{"kind":"job"}"#)
        }
    }

    @Test func aDelayedCreateStillCreatesWhenTheClientGivesUp() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            _ = try await http.setFaults(#"{"faults":[{"on":"job_create","kind":"delay","delay_ms":300,"count":1}]}"#)
            await #expect(throws: (any Error).self) {
                try await http.send(.POST, TestHTTP.trainingJobsPath, body: TestHTTP.jobBody(name: "slow"), timeout: .milliseconds(50))
            }
            var count = 0
            for _ in 0..<500 where count == 0 {
                count = try await Self.jobEntries(http).count
                if count == 0 { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(count == 1)
        }
    }

    @Test func theNewTargetsParseAndPrint() throws {
        for target in ["job_create", "job_show", "job_search", "job_action", "job_delete"] {
            let rule = try FaultRule(json: .object(["on": .string(target), "kind": .string("error")]), path: "f")
            #expect(rule.target.rawValue == target)
            #expect(rule.json["on"] == .string(target))
        }
        #expect(FaultRule(target: .any, kind: .error).applies(to: .jobSearch))
        #expect(!FaultRule(target: .jobShow, kind: .error).applies(to: .show))
    }
}
