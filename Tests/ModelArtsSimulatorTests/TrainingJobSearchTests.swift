import JSONTree
import NIOHTTP1
import Testing
@testable import ModelArtsSimulator

@Suite struct TrainingJobSearchTests {
    /// Four jobs a second apart (oldest first) besides no seeded one.
    static func withFourJobs(_ body: (TestHTTP, ClockBox, [String]) async throws -> Void) async throws {
        let clock = ClockBox()
        try await ModelArtsSimulator.withRunning(.init(scenario: .init(trainingJobs: [])), clock: clock.read) { _, port in
            let http = TestHTTP(port: port)
            var ids: [String] = []
            for (name, kind) in [("alpha-1", "job"), ("bravo-2", "job"), ("alpha-3", "edge_job"), ("charlie-4", "job")] {
                ids.append(try #require(try await http.createJob(name: name, kind: kind).jobID))
                clock.advance(milliseconds: 1_000)
            }
            try await body(http, clock, ids)
        }
    }

    @Test func searchAnswersNewestFirstWithTheDocumentedFields() async throws {
        try await Self.withFourJobs { http, _, _ in
            let reply = try await http.searchJobs()
            #expect(reply.status == 200)
            #expect(TestHTTP.names(reply) == ["charlie-4", "alpha-3", "bravo-2", "alpha-1"])
            let json = try #require(reply.json)
            #expect(json["total"] == .integer(4))
            #expect(json["count"] == .integer(4))
            #expect(json["limit"] == .integer(10))
            #expect(json["offset"] == .integer(0))
            #expect(json["sort_by"] == .string("create_time"))
            #expect(json["order"] == .string("desc"))
            #expect(json["group_by"] == .string(""))
            #expect(json["items"]?.arrayValue?.first?["status"]?["phase"] == .string("Creating"))
            #expect(json["items"]?.arrayValue?.first?["metadata"]?["id"]?.stringValue != nil)
            #expect(TestHTTP.names(try await http.searchJobs(#"{"order":"asc","sort_by":"name"}"#)) == ["alpha-1", "alpha-3", "bravo-2", "charlie-4"])
            // An empty body is a search with the defaults.
            #expect(TestHTTP.names(try await http.send(.POST, TestHTTP.searchesPath)).count == 4)
            let ledger = try await http.ledger()
            #expect(ledger["requests"]?["job_search"] == .integer(3))
            #expect(ledger["training_jobs"]?.arrayValue?.allSatisfy { $0["last_read_at"] != nil } == true)
        }
    }

    @Test func offsetCountsItemsAndMayComeInTheQueryString() async throws {
        try await Self.withFourJobs { http, _, _ in
            #expect(TestHTTP.names(try await http.searchJobs(#"{"limit":2,"offset":1}"#)) == ["alpha-3", "bravo-2"])
            #expect(TestHTTP.names(try await http.searchJobs(#"{"limit":2,"offset":3}"#)) == ["alpha-1"])
            #expect(TestHTTP.names(try await http.searchJobs(#"{"offset":4}"#)) == [])
            let paged = try await http.searchJobs("{}", query: "?limit=1&offset=2")
            #expect(TestHTTP.names(paged) == ["bravo-2"])
            #expect(paged.json?["limit"] == .integer(1))
            #expect(paged.json?["count"] == .integer(4))
            // The body wins over the query string.
            #expect(TestHTTP.names(try await http.searchJobs(#"{"limit":1}"#, query: "?limit=3")) == ["charlie-4"])
        }
    }

    @Test func filtersByNamePhaseKindAndCreateTime() async throws {
        try await Self.withFourJobs { http, clock, ids in
            func names(_ filters: String) async throws -> [String] {
                let reply = try await http.searchJobs(#"{"filters":\#(filters)}"#)
                #expect(reply.status == 200, "\(reply.bodyText)")
                return TestHTTP.names(reply)
            }
            #expect(try await names(#"[{"key":"name","operator":"like","value":["alpha"]}]"#) == ["alpha-3", "alpha-1"])
            #expect(try await names(#"[{"key":"kind","operator":"in","value":["edge_job"]}]"#) == ["alpha-3"])
            let start = clock.read() - 4_000
            #expect(try await names(#"[{"key":"create_time","operator":"between","value":["\#(start + 1_000)","\#(start + 2_000)"]}]"#) == ["alpha-3", "bravo-2"])
            #expect(try await names(#"[{"key":"name","operator":"like","value":["alpha"]},{"key":"kind","operator":"in","value":["job"]}]"#) == ["alpha-1"])
            // Phases move with the clock: terminate one, and let the others reach Pending.
            _ = try await http.terminateJob(ids[1])
            clock.advance(milliseconds: 4_000)
            #expect(try await names(#"[{"key":"phase","operator":"in","value":["Terminating"]}]"#) == ["bravo-2"])
            #expect(try await names(#"[{"key":"phase","operator":"in","value":["Pending","Running"]}]"#) == ["charlie-4", "alpha-3", "alpha-1"])
            let counted = try await http.searchJobs(#"{"filters":[{"key":"phase","operator":"in","value":["Completed"]}]}"#)
            #expect(counted.json?["total"] == .integer(4))
            #expect(counted.json?["count"] == .integer(0))
        }
    }

    @Test(arguments: [
        (#"{"filters":[{"key":"colour","operator":"in","value":["red"]}]}"#, "ModelArts.2807"),
        (#"{"filters":[{"operator":"in","value":["x"]}]}"#, "ModelArts.2807"),
        (#"{"filters":[{"key":"name","operator":"equals","value":["x"]}]}"#, "ModelArts.2808"),
        (#"{"filters":[{"key":"phase","operator":"like","value":["Running"]}]}"#, "ModelArts.2808"),
        (#"{"filters":[{"key":"phase","operator":"in","value":["Sleeping"]}]}"#, "ModelArts.2809"),
        (#"{"filters":[{"key":"name","operator":"like","value":[]}]}"#, "ModelArts.2809"),
        (#"{"filters":[{"key":"name","operator":"like","value":"alpha"}]}"#, "ModelArts.2809"),
        (#"{"filters":[{"key":"create_time","operator":"between","value":["1"]}]}"#, "ModelArts.2809"),
        (#"{"filters":[{"key":"create_time","operator":"between","value":["b","c"]}]}"#, "ModelArts.2809"),
        (#"{"filters":[{"key":"create_time","operator":"between","value":["9","1"]}]}"#, "ModelArts.2809"),
        (#"{"limit":0}"#, "ModelArts.2788"),
        (#"{"limit":51}"#, "ModelArts.2788"),
        (#"{"limit":"10"}"#, "ModelArts.2788"),
        (#"{"offset":-1}"#, "ModelArts.2788"),
        (#"{"order":"up"}"#, "ModelArts.2788"),
        (#"{"sort_by":"colour"}"#, "ModelArts.2788"),
        ("{bad", "ModelArts.2787"),
    ])
    func refusesBadSearches(body: String, code: String) async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let reply = try await TestHTTP(port: port).searchJobs(body)
            #expect(reply.status == 400)
            #expect(reply.errorCode == code)
            #expect(reply.json?["error_solution"]?.stringValue != nil)
        }
    }

    @Test func aBadQueryLimitIsRefusedToo() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let reply = try await TestHTTP(port: port).searchJobs("{}", query: "?limit=500")
            #expect(reply.errorCode == "ModelArts.2788")
        }
    }
}
