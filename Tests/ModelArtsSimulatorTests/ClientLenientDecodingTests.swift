import Foundation
import JSONTree
import ModelArts
import ModelArtsSimulator
import Testing

/// The odd answers the documentation shows, served over HTTP (fault kind `respond`), read by our client.
@Suite struct ClientLenientDecodingTests {
    static func respond(_ on: String, status: Int = 200, body: String) throws -> String {
        let rule: JSONValue = .object([
            "on": .string(on), "kind": .string("respond"), "status": .integer(Int64(status)), "body": .string(body), "count": .integer(1),
        ])
        return String(decoding: JSONValue.object(["faults": .array([rule])]).canonicalData(), as: UTF8.self)
    }

    @Test func numbersInStringsJSONInStringsAndUnknownFieldsAreRead() async throws {
        try await ClientTestSupport.withSignedClient { client, http in
            let body = #"""
                {"is_success": true, "job_id": "10", "job_name": "TestModelArtsJob", "version_id": "21",
                 "version_name": "V0002", "pre_version_id": "20", "status": "8", "create_time": "1524189990635",
                 "duration": "532003", "core": 2, "cpu": 8, "gpu_num": "1", "worker_server_num": "1",
                 "system_metric_list": "{\"cpuUsage\":[\"1.0\"],\"memUsage\":[],\"gpuUtil\":[]}",
                 "parameter": [{"label": "learning_rate", "value": 0.01}], "a_field_from_the_future": {"x": 1}}
                """#
            _ = try await http.setFaults(try Self.respond("show", body: body))
            let detail = try await client.showVersion(jobID: 10, versionID: 21)
            #expect(detail.versionID == 21)
            #expect(detail.preVersionID == 20)
            #expect(detail.status == .running)
            #expect(detail.createTime == 1_524_189_990_635)
            #expect(detail.duration == 532_003)
            #expect(detail.core == "2")
            #expect(detail.workerServerNum == 1)
        }
    }

    @Test func theCreateSampleWithStringNumbersIsRead() async throws {
        try await ClientTestSupport.withSignedClient { client, http in
            _ = try await http.setFaults(try Self.respond("create", body: #"""
                {"is_success": true, "job_id": "10", "job_name": "TestModelArtsJob", "status": "1", "create_time": "1524189990635", "version_id": "10", "version_name": "V0001"}
                """#))
            let created = try await client.createVersion(jobID: 10, request: ClientTestSupport.sampleRequest())
            #expect(created.versionID == 10)
            #expect(created.status?.code == 1)
            #expect(created.createTime == 1_524_189_990_635)
        }
    }

    @Test func theInvalidDocumentationSampleIsAClearDecodeError() async throws {
        try await ClientTestSupport.withSignedClient { client, http in
            _ = try await http.setFaults(try Self.respond("show", body: #"{"is_success": true, "job_id": 10, "version_id": 21, "engine_type": , "status": 10}"#))
            let error = await ClientTestSupport.failure { () async throws(ModelArtsError) in try await client.showVersion(jobID: 10, versionID: 21) }
            #expect(error?.kind == .undecodableResponse)
            #expect(error?.httpStatus == 200)
            #expect(error?.errorClass == .transient)
        }
    }

    @Test func bothErrorMessageSpellingsAreRead() async throws {
        try await ClientTestSupport.withSignedClient { client, http in
            for (field, text) in [("error_message", "spelled the v1 way"), ("error_msg", "spelled the gateway way")] {
                _ = try await http.setFaults(try Self.respond("list", status: 400, body: #"{"is_success": false, "error_code": "ModelArts.0104", "\#(field)": "\#(text)"}"#))
                let error = await ClientTestSupport.failure { () async throws(ModelArtsError) in try await client.listVersions(jobID: 10) }
                #expect(error?.errorCode == "ModelArts.0104")
                #expect(error?.message.contains(text) == true, "\(String(describing: error))")
                #expect(error?.errorClass == .permanent)
            }
        }
    }

    /// The documentation's list sample says `version_count: 2` and lists one version: the count is not
    /// trusted to end a walk. Here the first page says 1 while the job has 2.
    @Test func aVersionCountThatUnderstatesTheListDoesNotEndTheWalk() async throws {
        try await ClientTestSupport.withSignedClient { client, http in
            // The job has 20 (seeded) and now 21.
            #expect(try await client.createVersion(jobID: 10, request: ClientTestSupport.sampleRequest()).versionID == 21)
            let page = #"{"is_success": true, "job_id": 10, "version_count": 1, "versions": [{"version_id": 21, "version_name": "V0002", "status": 10}]}"#
            _ = try await http.setFaults(try Self.respond("list", body: page))
            let all = try await client.listAllVersions(jobID: 10, perPage: 1)
            #expect(Set(all.compactMap(\.versionID)) == [20, 21])
        }
    }

    /// A version-details failure need not carry `error_code` (the reference's table lists none): it is
    /// still a failure, with no code, classified by its status.
    @Test func aShowFailureWithoutAnErrorCodeIsAFailureWithoutACode() async throws {
        try await ClientTestSupport.withSignedClient { client, http in
            _ = try await http.setFaults(try Self.respond("show", status: 500, body: #"{"is_success": false, "error_message": "busy"}"#))
            let error = await ClientTestSupport.failure { () async throws(ModelArtsError) in try await client.showVersion(jobID: 10, versionID: 20) }
            #expect(error?.kind == .http)
            #expect(error?.errorCode == nil)
            #expect(error?.message.contains("busy") == true, "\(String(describing: error))")
            #expect(error?.errorClass == .transient)
            _ = try await http.setFaults(try Self.respond("show", body: #"{"is_success": false}"#))
            let inBody = await ClientTestSupport.failure { () async throws(ModelArtsError) in try await client.showVersion(jobID: 10, versionID: 20) }
            #expect(inBody?.kind == .http && inBody?.errorCode == nil, "\(String(describing: inBody))")
        }
    }

    @Test func successStatusWithIsSuccessFalseIsAFailure() async throws {
        try await ClientTestSupport.withSignedClient { client, http in
            _ = try await http.setFaults(try Self.respond("stop", body: #"{"is_success": false, "error_code": "ModelArts.0104", "error_message": "cannot stop"}"#))
            let error = await ClientTestSupport.failure { () async throws(ModelArtsError) in try await client.stopVersion(jobID: 10, versionID: 20) }
            #expect(error?.errorCode == "ModelArts.0104")
        }
    }
}
