import JSONTree
import ModelArtsSimulator
import NIOHTTP1
import Testing

@Suite struct RouteTests {
    @Test func createReturnsTheNewVersionAndItCanBeShownAndListed() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            let created = try await http.create()
            #expect(created.status == 200)
            #expect(created.json?["is_success"] == .bool(true))
            #expect(created.json?["job_id"] == .integer(10))
            #expect(created.json?["version_id"] == .integer(21))
            #expect(created.json?["version_name"] == .string("V0002"))
            #expect(created.json?["status"] == .integer(1))
            #expect(created.json?["create_time"]?.int64Value ?? 0 > 1_700_000_000_000)
            #expect(created.requestID?.count == 32)

            let shown = try await http.show(version: 21)
            #expect(shown.status == 200)
            #expect(shown.json?["version_id"] == .integer(21))
            #expect(shown.json?["pre_version_id"] == .integer(20))
            #expect(shown.json?["job_desc"] == .string("This is a ModelArts job"))
            #expect(shown.json?["spec_id"] == .integer(1))
            #expect(shown.json?["dataset_id"] == .string("38277e62-9e59-48f4-8d89-c8cf41622c24"))
            #expect(shown.json?["system_metric_list"]?.objectValue != nil)

            let listed = try await http.send(.GET, TestHTTP.versionsPath())
            #expect(listed.status == 200)
            #expect(listed.json?["version_count"] == .integer(2))
            let ids = listed.json?["versions"]?.arrayValue?.compactMap { $0["version_id"]?.int64Value }
            #expect(ids == [21, 20])
            #expect(listed.json?["versions"]?.arrayValue?.first?["system_metric_list"]?.stringValue != nil)
        }
    }

    @Test func createAcceptsTheDocumentedTrailingSlash() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            let reply = try await http.send(.POST, TestHTTP.versionsPath() + "/", body: TestHTTP.sampleBody())
            #expect(reply.status == 200)
            #expect(reply.json?["version_id"] == .integer(21))
        }
    }

    @Test func listPaginatesWithPageZeroMeaningEverything() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            var previous: Int64 = 20
            for _ in 0..<12 {
                let reply = try await http.create(preVersionID: previous)
                previous = reply.json?["version_id"]?.int64Value ?? previous
            }
            func ids(_ query: String) async throws -> [Int64] {
                let reply = try await http.send(.GET, TestHTTP.versionsPath() + query)
                #expect(reply.json?["version_count"] == .integer(13))
                return reply.json?["versions"]?.arrayValue?.compactMap { $0["version_id"]?.int64Value } ?? []
            }
            #expect(try await ids("").count == 13)
            #expect(try await ids("?page=0&per_page=5").count == 13)
            #expect(try await ids("?page=1&per_page=5") == [32, 31, 30, 29, 28])
            #expect(try await ids("?page=3&per_page=5") == [22, 21, 20])
            #expect(try await ids("?page=9&per_page=5") == [])
            let bad = try await http.send(.GET, TestHTTP.versionsPath() + "?page=1&per_page=1001")
            #expect(bad.status == 400)
            #expect(bad.errorCode == "ModelArts.0101")
            #expect(bad.json?["is_success"] == .bool(false))
        }
    }

    @Test func listJobsPagesSortsAndFilters() async throws {
        let scenario = Scenario(jobs: [
            .init(jobID: 1, jobName: "alpha", versions: [100]),
            .init(jobID: 2, jobName: "bravo", versions: [200, 201]),
            .init(jobID: 3, jobName: "charlie", versions: [300]),
        ])
        try await ModelArtsSimulator.withRunning(.init(scenario: scenario)) { _, port in
            let http = TestHTTP(port: port)
            let path = "/v1/\(TestHTTP.project)/training-jobs"
            func names(_ query: String) async throws -> [String] {
                let reply = try await http.send(.GET, path + query)
                #expect(reply.status == 200)
                return reply.json?["jobs"]?.arrayValue?.compactMap { $0["job_name"]?.stringValue } ?? []
            }
            #expect(try await names("") == ["alpha", "bravo", "charlie"])
            #expect(try await names("?order=desc") == ["charlie", "bravo", "alpha"])
            #expect(try await names("?per_page=2&page=2") == ["charlie"])
            #expect(try await names("?search_content=rav") == ["bravo"])
            #expect(try await names("?sortBy=version_count&order=desc&per_page=1") == ["bravo"])
            #expect(try await names("?status=8") == [])
            #expect(try await names("?status=10").count == 3)
            let all = try await http.send(.GET, path)
            #expect(all.json?["job_total_count"] == .integer(3))
            #expect(all.json?["jobs"]?.arrayValue?[1]["version_id"] == .integer(201))
            #expect(all.json?["jobs"]?.arrayValue?[1]["version_count"] == .integer(2))
            let bad = try await http.send(.GET, path + "?sortBy=colour")
            #expect(bad.status == 400)
        }
    }

    @Test func stopAndDeleteAnswerSuccess() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            _ = try await http.create()
            let stopped = try await http.send(.POST, TestHTTP.versionsPath() + "/21/stop")
            #expect(stopped.status == 200)
            #expect(stopped.json == .object(["is_success": .bool(true)]))
            #expect(try await http.show(version: 21).json?["status"] == .integer(9))
            let deleted = try await http.send(.DELETE, TestHTTP.versionsPath() + "/21")
            #expect(deleted.json == .object(["is_success": .bool(true)]))
            let gone = try await http.show(version: 21)
            #expect(gone.status == 404)
            #expect(gone.errorCode == "ModelArts.0015")
            let ledger = try await http.ledger()
            #expect(ledger["versions"]?.arrayValue?.first?["deleted"] == .bool(true))
        }
    }

    @Test func unknownRoutesWrongMethodsAndMalformedIdsAreGatewayNotFound() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            for (method, path) in [
                (HTTPMethod.GET, "/v1/\(TestHTTP.project)/nothing-here"),
                (.PUT, TestHTTP.versionsPath()),
                (.GET, "/v1/NOT-A-PROJECT/training-jobs/10/versions"),
                (.GET, "/v1/0123456789ABCDEF0123456789ABCDEF/training-jobs/10/versions"),
                (.GET, TestHTTP.versionsPath() + "/abc"),
                (.GET, "/v1/\(TestHTTP.project)/training-jobs/-1/versions"),
            ] {
                let reply = try await http.send(method, path)
                #expect(reply.status == 404, "\(method) \(path)")
                #expect(reply.errorCode == "APIGW.0101")
                #expect(reply.json?["error_msg"] == .string("The API does not exist or has not been published in the environment."))
                #expect(reply.json?["request_id"]?.stringValue == reply.requestID)
            }
        }
    }

    @Test func createRejectsBadBodiesWithTheBackendFailureShape() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            let notJSON = try await http.send(.POST, TestHTTP.versionsPath(), body: "{not json")
            #expect(notJSON.status == 400)
            #expect(notJSON.errorCode == "ModelArts.0101")
            #expect(notJSON.json?["is_success"] == .bool(false))
            #expect(notJSON.json?["error_message"]?.stringValue != nil)

            let noConfig = try await http.send(.POST, TestHTTP.versionsPath(), body: #"{"job_desc":"x"}"#)
            #expect(noConfig.status == 400)
            #expect(noConfig.errorCode == "ModelArts.0104")

            let twoBroken = try await http.send(.POST, TestHTTP.versionsPath(), body: """
                {"config":{"worker_server_num":0,"app_url":"/a/","boot_file_url":"/a/b.py","data_url":"/d/",\
                "spec_id":1,"pool_id":"p","train_url":"/t/","pre_version_id":20}}
                """)
            #expect(twoBroken.status == 400)
            #expect(twoBroken.errorCode == "ModelArts.0104")
            let message = twoBroken.json?["error_message"]?.stringValue ?? ""
            #expect(message.contains("worker_server_num"))
            #expect(message.contains("pool_id"))

            let unknownPrevious = try await http.create(preVersionID: 999)
            #expect(unknownPrevious.status == 400)
            #expect(unknownPrevious.errorCode == "ModelArts.0104")
            #expect(try await http.ledger()["versions"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test func unknownJobsAreCreatedOnFirstUseUnlessStrict() async throws {
        try await ModelArtsSimulator.withRunning { _, port in
            let http = TestHTTP(port: port)
            let created = try await http.create(job: 77, preVersionID: 500)
            #expect(created.status == 200)
            #expect(created.json?["version_id"] == .integer(501))
            let listed = try await http.send(.GET, TestHTTP.versionsPath(job: 77))
            #expect(listed.json?["versions"]?.arrayValue?.compactMap { $0["version_id"]?.int64Value } == [501, 500])
            // The job exists now: a previous version it does not have is refused.
            #expect(try await http.create(job: 77, preVersionID: 20).status == 400)
        }
        try await ModelArtsSimulator.withRunning(.init(strict: true)) { _, port in
            let http = TestHTTP(port: port)
            let refused = try await http.create(job: 77, preVersionID: 500)
            #expect(refused.status == 404)
            #expect(refused.errorCode == "ModelArts.0015")
            #expect(try await http.create().status == 200)
        }
    }
}
