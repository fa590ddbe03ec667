import Foundation
import JSONTree
import Testing
@testable import ModelArts

@Suite struct WireDecodingTests {
    static func data(_ text: String) -> Data { Data(text.utf8) }

    @Test func createResponseSample() throws {
        let response = try CreateVersionResponse.decode(Self.data("""
            {"is_success": true, "job_id": 10, "job_name": "TestModelArtsJob", "status": 1,
             "create_time": 1524189990635, "version_id": 10, "version_name": "V0001"}
            """))
        #expect(response == CreateVersionResponse(versionID: 10, versionName: "V0001", jobID: 10, jobName: "TestModelArtsJob",
                                                  status: .initializing, createTime: 1_524_189_990_635))
    }

    /// The OTC create-job sample puts numbers in strings (reference §2.4).
    @Test func numbersGivenAsStrings() throws {
        let response = try CreateVersionResponse.decode(Self.data("""
            {"is_success": true, "job_id": "10", "status": "1", "create_time": "1524189990635",
             "version_id": "10", "resource_id": "jobafd08c2d", "version_name": "V0001", "job_name": "TestModelArtsJob"}
            """))
        #expect(response.versionID == 10)
        #expect(response.status?.code == 1)
        #expect(response.createTime == 1_524_189_990_635)
    }

    @Test func createResponseWithoutVersionIDIsAnError() {
        #expect(throws: WireDecodingError(context: "create version response", problem: "missing version_id")) {
            try CreateVersionResponse.decode(Self.data(#"{"is_success": true, "job_id": 10}"#))
        }
        #expect(throws: WireDecodingError(context: "create version response", problem: "version_id is not an integer (got string)")) {
            try CreateVersionResponse.decode(Self.data(#"{"version_id": "V0001"}"#))
        }
    }

    /// The documentation's own detail sample is not valid JSON (`"engine_type": ,`); it must give a
    /// clear error, not a crash.
    @Test func invalidDocumentationSampleGivesAClearError() {
        let sample = """
            {"is_success": true, "job_id": 10, "job_name": "TestModelArtsJob", "job_desc": "This is a ModelArts job",
             "version_id": 10, "version_name": "V0001", "pre_version_id": 5, "engine_type": ,
             "engine_name": "TensorFlow", "engine_id": 1, "engine_version": "TF-1.4.0-python2.7", "status": 10}
            """
        do {
            _ = try VersionDetail.decode(Self.data(sample))
            Issue.record("invalid JSON was accepted")
        } catch {
            #expect(error.context == "version detail")
            #expect(error.problem.hasPrefix("body is not valid JSON"))
            #expect(error.description.hasPrefix("cannot decode version detail: body is not valid JSON"))
        }
    }

    @Test func detailSampleWithOddTypes() throws {
        let detail = try VersionDetail.decode(Self.data("""
            {"is_success": true, "job_id": 10, "job_name": "TestModelArtsJob", "job_desc": "This is a ModelArts job",
             "version_id": 10, "version_name": "jobVersion", "pre_version_id": 5, "engine_type": 1,
             "engine_name": "TensorFlow", "engine_id": 1, "engine_version": "TF-1.4.0-python2.7", "status": 10,
             "app_url": "/usr/app/", "boot_file_url": "/usr/app/boot.py", "create_time": 1524189990635,
             "parameter": [{"label": "learning_rate", "value": 0.01}, {"label": "batch", "value": "32"}, 7],
             "duration": 532003, "spec_id": 1, "core": 2, "cpu": 8, "gpu_num": 0, "gpu_type": "",
             "worker_server_num": 1, "data_url": "/usr/data/", "train_url": "/usr/train/", "log_url": "/usr/log/",
             "dataset_version_id": "2ff0d6ba", "dataset_id": "38277e62",
             "data_source": [{"type": "obs", "data_url": "/usr/data/"}],
             "model_id": 1, "model_metric_list": "{\\"metric\\":[],\\"total_metric\\":{}}",
             "system_metric_list": {"cpuUsage": ["0"], "memUsage": ["0"], "gpuUtil": ["0"]},
             "user_image_url": null, "spec_code": "modelarts.vm.cpu.2u", "start_time": 1563172362000,
             "volumes": [], "nas_type": "nfs", "brand_new_field": {"x": 1}}
            """))
        #expect(detail.status == .completed)
        #expect(detail.status.category == .succeeded)
        #expect(detail.versionName == "jobVersion")
        #expect(detail.parameter == [Parameter(label: "learning_rate", value: "0.01"), Parameter(label: "batch", value: "32")])
        #expect(detail.core == "2")
        #expect(detail.cpu == "8")
        #expect(detail.duration == 532_003)
        #expect(detail.modelMetricList == .object(["metric": .array([]), "total_metric": .object([:])]))
        #expect(detail.systemMetricList?["cpuUsage"] == .array([.string("0")]))
        #expect(detail.userImageURL == nil)
        #expect(detail.dataSource?.first?.type == "obs")
        #expect(detail.raw["brand_new_field"] == .object(["x": .integer(1)]))
    }

    @Test func detailWithoutStatusIsAnError() {
        #expect(throws: WireDecodingError(context: "version detail", problem: "missing status")) {
            try VersionDetail.decode(Self.data(#"{"version_id": 1}"#))
        }
        #expect(throws: WireDecodingError(context: "version detail", problem: "status is not an integer (got string)")) {
            try VersionDetail.decode(Self.data(#"{"version_id": 1, "status": "running"}"#))
        }
        #expect(throws: WireDecodingError(context: "version detail", problem: "expected a JSON object, got array")) {
            try VersionDetail.decode(Self.data(#"[]"#))
        }
        #expect(throws: WireDecodingError.self) { try VersionDetail.decode(Data()) }
    }

    /// In the list call `system_metric_list` is a JSON string, and there is an extra `gpu` boolean.
    @Test func versionListWithJSONInAString() throws {
        let list = try VersionList.decode(Self.data("""
            {"is_success": true, "job_id": "10", "job_name": "TestModelArtsJob", "job_desc": "d", "version_count": 2,
             "versions": [
               {"version_id": 21, "version_name": "V0002", "pre_version_id": 20, "status": "8", "gpu": false,
                "create_time": 1524189990635, "job_desc": "x [trainq:01J]",
                "system_metric_list": "{\\"cpuUsage\\":[\\"1.5\\"],\\"interval\\":1}"},
               {"version_id": 20, "status": 10, "system_metric_list": "not json", "gpu": "true"}
             ]}
            """))
        #expect(list.versionCount == 2)
        #expect(list.jobID == 10)
        #expect(list.versions.map(\.versionID) == [21, 20])
        #expect(list.versions[0].status == .running)
        #expect(list.versions[0].gpu == false)
        #expect(list.versions[0].systemMetricList?["interval"] == .integer(1))
        #expect(list.versions[1].systemMetricList == .string("not json"))
        #expect(list.versions[1].gpu == true)
    }

    @Test func versionListEntryWithoutIdentityFails() {
        #expect(throws: WireDecodingError(context: "version list.versions[1]", problem: "missing version_id")) {
            try VersionList.decode(Self.data(#"{"versions": [{"version_id": 1, "status": 1}, {"status": 1}]}"#))
        }
        #expect(throws: WireDecodingError(context: "version list", problem: "versions is not an array (got object)")) {
            try VersionList.decode(Self.data(#"{"versions": {}}"#))
        }
        #expect(throws: WireDecodingError(context: "version list", problem: "missing versions but version_count is 3")) {
            try VersionList.decode(Self.data(#"{"version_count": 3}"#))
        }
    }

    /// Tracking's reading of a list (`VersionStatusList`) sees what the full reading sees, and fails where
    /// it fails, with the same error.
    @Test func versionStatusListAgreesWithTheFullList() throws {
        let bodies = [
            #"{"version_count": 2, "versions": [{"version_id": "21", "status": "8", "start_time": 1524189990635, "duration": "5000", "gpu": false, "system_metric_list": "{\"a\": 1}"}, {"version_id": 20, "status": 10}]}"#,
            #"{"versions": "[{\"version_id\": 3, \"status\": 10, \"duration\": 7}]", "version_count": 1}"#,
            #"{"is_success": true, "version_count": 0, "versions": []}"#,
            #"{"version_count": 0}"#,
            #"{"versions": [{"version_id": 1, "status": 1}, {"version_id": 1, "status": 2, "version_count": 9}], "versions": [{"version_id": 5, "status": 7}]}"#,
        ]
        for body in bodies {
            let full = try VersionList.decode(Self.data(body))
            let skimmed = try VersionStatusList.decode(Self.data(body))
            #expect(skimmed.versionCount == full.versionCount, "\(body)")
            #expect(skimmed.versions.map(\.versionID) == full.versions.compactMap(\.versionID), "\(body)")
            #expect(skimmed.versions.map(\.status) == full.versions.map(\.status), "\(body)")
            #expect(skimmed.versions.map(\.startTime) == full.versions.map(\.startTime), "\(body)")
            #expect(skimmed.versions.map(\.duration) == full.versions.map(\.duration), "\(body)")
            #expect(try skimmed.versions.map { try $0.detail() } == full.versions, "\(body)")
        }
        let failing = [
            #"{"versions": [{"version_id": 1, "status": 1}, {"status": 1}]}"#,
            #"{"versions": [{"version_id": 1}]}"#,
            #"{"versions": [{"version_id": 1, "status": [1]}]}"#,
            #"{"versions": [7]}"#,
            #"{"versions": {}}"#,
            #"{"version_count": 3}"#,
            #"{"versions": [{"version_id": 1, "status": 1}"#,
            "[]",
        ]
        for body in failing {
            var fullError: WireDecodingError?
            do { _ = try VersionList.decode(Self.data(body)) } catch { fullError = error }
            let expected = try #require(fullError, "\(body)")
            #expect(throws: expected, "\(body)") { try VersionStatusList.decode(Self.data(body)) }
        }
    }

    @Test func emptyVersionList() throws {
        let list = try VersionList.decode(Self.data(#"{"is_success": true, "version_count": 0, "versions": []}"#))
        #expect(list.versions.isEmpty)
    }

    @Test func jobList() throws {
        let list = try JobList.decode(Self.data("""
            {"is_success": true, "job_total_count": "1", "job_count_limit": 23, "quotas": 24,
             "jobs": [{"job_id": 10, "job_name": "TestModelArtsJob", "version_id": "21", "status": 8,
                       "create_time": 1524189990635, "duration": 532003, "job_desc": "d", "version_count": 2, "extra": 1}]}
            """))
        #expect(list.jobTotalCount == 1)
        #expect(list.jobs.first?.versionID == 21)
        #expect(list.jobs.first?.status == .running)
        #expect(throws: WireDecodingError(context: "job list.jobs[0]", problem: "missing job_id")) {
            try JobList.decode(Self.data(#"{"jobs": [{"job_name": "x"}]}"#))
        }
    }

    @Test func failureEnvelopeShapes() {
        let v1 = FailureEnvelope.parse(Self.data(#"{"is_success": false, "error_message": "Error string", "error_code": "ModelArts.0105"}"#))
        #expect(v1?.isSuccess == false)
        #expect(v1?.errorCode == "ModelArts.0105")
        #expect(v1?.errorMessage == "Error string")
        #expect(v1?.reportsFailure == true)
        let older = FailureEnvelope.parse(Self.data(#"{"is_success": false, "error_msg": "Error string", "error_code": "ModelArts.0105"}"#))
        #expect(older?.errorMessage == "Error string")
        let gateway = FailureEnvelope.parse(Self.data(#"{"error_msg": "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 minute", "error_code": "APIGW.0308", "request_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0"}"#))
        #expect(gateway?.errorCode == "APIGW.0308")
        #expect(gateway?.requestID == "0f1e2d3c4b5a69788796a5b4c3d2e1f0")
        #expect(gateway?.reportsFailure == true)
        let camel = FailureEnvelope.parse(Self.data(#"{"errorCode": "X.1", "errorMsg": "m"}"#))
        #expect(camel?.errorCode == "X.1" && camel?.errorMessage == "m")
        let plain = FailureEnvelope.parse(Self.data(#"{"code": "X.2", "message": "m"}"#))
        #expect(plain?.errorCode == "X.2" && plain?.errorMessage == "m")
        // A success body with some other `code` member is not a failure.
        #expect(plain?.reportsFailure == false)
        let keystone = FailureEnvelope.parse(Self.data(#"{"error": {"code": 401, "message": "The request you have made requires authentication.", "title": "Unauthorized"}}"#))
        #expect(keystone?.errorCode == "401")
        #expect(keystone?.errorMessage == "The request you have made requires authentication.")
        #expect(FailureEnvelope.parse(Self.data(#"{"is_success": true}"#))?.reportsFailure == false)
        #expect(FailureEnvelope.parse(Self.data("<html>bad gateway</html>")) == nil)
    }
}
