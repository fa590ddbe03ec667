import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Metrics
@testable import ModelArts
import NIOCore
import Testing
import TrainQAPI
import TrainQEngine
import TrainQStore
@testable import TrainQServer

/// `GET /metrics`: the daemon's metrics in the Prometheus text format, over a real store.
@Suite struct MetricsTests {
    /// The socket API over a real store, with a metrics registry of the test's own.
    struct Fixture {
        let directory: TemporaryDirectory
        let store: SubmissionStore
        let client: ModelArtsClient
        let metrics = DaemonMetrics()
        let application: Application<RouterResponder<TrainQRequestContext>>

        init() throws {
            directory = try TemporaryDirectory()
            let logger = Logger(label: "test")
            store = try SubmissionStore(path: directory.file("trainq.db"), logger: logger)
            // Nothing listens there: these tests never reach ModelArts.
            client = try ModelArtsClient(configuration: .init(
                endpoint: URL(string: "http://127.0.0.1:9")!, projectID: SocketAPIFixture.projectID,
                authentication: .accessKey(AKSKSigner(accessKey: "AK", secretKey: "SK"))
            ))
            let engine = SubmissionEngine(store: store, client: client, configuration: .init(), logger: logger)
            let control = EngineControl(engine: engine, lastSuccess: LastModelArtsSuccess())
            let api = SocketAPI(
                store: store, control: control,
                settings: .init(defaultProjectID: SocketAPIFixture.projectID, maxBodyBytes: 1 << 20, simulated: true),
                metrics: metrics
            )
            let router = api.router { request, _ in
                SocketAPIFixture.callers[request.headers[HTTPField.Name("X-Test-Caller")!] ?? "admin"]
            }
            application = Application(router: router)
        }

        func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            try await application.test(.router, body)
            try? await client.shutdown()
        }
    }

    static func scrape(_ client: some TestClientProtocol, as caller: String = "alice") async throws -> MetricsExposition {
        let response = try await client.call(.get, "/metrics", as: caller)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
        return try MetricsExposition(String(buffer: response.body))
    }

    @Test func theQueueGaugesFollowTheDatabase() async throws {
        let fixture = try Fixture()
        try await fixture.test { client in
            let before = try await Self.scrape(client)
            #expect(before.types["trainq_submissions"] == "gauge")
            for state in SubmissionState.allCases {
                #expect(before.value("trainq_submissions", ["state": state.rawValue]) == 0, "\(state)")
            }
            #expect(before.value("trainq_oldest_due_submission_age_seconds") == 0)
            #expect(before.value("trainq_tracked_versions") == 0)

            let posted = try await client.call(.post, "/v1/submissions", body: SocketAPIFixture.seedBody, as: "alice")
            #expect(posted.status == .accepted)
            try await Task.sleep(for: .milliseconds(30))
            let after = try await Self.scrape(client)
            #expect(after.value("trainq_submissions", ["state": "queued"]) == 1)
            // The engine is not running here: the submission waits, and its wait is measured.
            #expect((after.value("trainq_oldest_due_submission_age_seconds") ?? 0) > 0)
            // The insert was one commit, and it wrote a page for the row and for each index and event row.
            #expect(after.types["trainq_store_commits_total"] == "counter")
            let commits = (after.value("trainq_store_commits_total") ?? 0) - (before.value("trainq_store_commits_total") ?? 0)
            let pages = (after.value("trainq_store_wal_pages_written_total") ?? 0) - (before.value("trainq_store_wal_pages_written_total") ?? 0)
            #expect(commits == 1)
            #expect(pages >= 5, "pages written by one insert: \(pages)")
        }
    }

    @Test func callersThePolicyRefusesGetNoMetrics() async throws {
        let fixture = try Fixture()
        try await fixture.test { client in
            let response = try await client.call(.get, "/metrics", as: "mallory")
            #expect(response.status == .forbidden)
            #expect(response.envelope?.error.kind == .forbidden)
        }
    }

    @Test func modelArtsCallsAreCountedByOperationAndStatusWithTheirLatency() throws {
        let metrics = DaemonMetrics()
        metrics.observe(.init(operation: .createVersion, limiterWait: .zero, duration: .milliseconds(40), httpStatus: 200, error: nil))
        metrics.observe(.init(operation: .createVersion, limiterWait: .milliseconds(300), duration: .milliseconds(20), httpStatus: 429, error: nil))
        metrics.observe(.init(operation: .showVersion, limiterWait: .zero, duration: .seconds(2), httpStatus: nil,
                              error: .transportNotSent(operation: .showVersion, message: "refused")))
        let exposition = try MetricsExposition(metrics.render())
        #expect(exposition.types["trainq_modelarts_calls_total"] == "counter")
        #expect(exposition.value("trainq_modelarts_calls_total", ["operation": "create_version", "status": "200"]) == 1)
        #expect(exposition.value("trainq_modelarts_calls_total", ["operation": "create_version", "status": "429"]) == 1)
        #expect(exposition.value("trainq_modelarts_calls_total", ["operation": "show_version", "status": "none"]) == 1)

        #expect(exposition.types["trainq_modelarts_call_duration_seconds"] == "histogram")
        #expect(exposition.value("trainq_modelarts_call_duration_seconds_count", ["operation": "create_version"]) == 2)
        let sum = try #require(exposition.value("trainq_modelarts_call_duration_seconds_sum", ["operation": "create_version"]))
        #expect(abs(sum - 0.06) < 1e-9)
        // 40 ms falls in the 50 ms bucket, not in the 25 ms one.
        #expect(exposition.value("trainq_modelarts_call_duration_seconds_bucket", ["operation": "create_version", "le": "0.025"]) == 1)
        #expect(exposition.value("trainq_modelarts_call_duration_seconds_bucket", ["operation": "create_version", "le": "0.05"]) == 2)

        #expect(exposition.value("trainq_modelarts_limiter_waits_total", ["outcome": "succeeded"]) == 1)
        #expect(exposition.value("trainq_modelarts_limiter_waits_total", ["outcome": "failed"]) == 0)
        let waited = try #require(exposition.value("trainq_modelarts_limiter_wait_seconds_sum", ["operation": "create_version"]))
        #expect(abs(waited - 0.3) < 1e-9)

        // `/v1/health` shows the same figures as typed fields.
        let activity = metrics.activity.snapshot
        #expect(activity.modelArtsCalls.map(\.operation) == ["create_version", "show_version"])
        #expect(activity.modelArtsCalls[0].statuses == ["200": 1, "429": 1])
        #expect(abs(activity.modelArtsCalls[0].durationSeconds - 0.06) < 1e-9)
        #expect(activity.modelArtsCalls[1].statuses == ["none": 1])
        #expect(activity.limiterWaits == 1)
        #expect(abs(activity.limiterWaitSeconds - 0.3) < 1e-9)
    }

    @Test func theEnginesCountersReachHealthsActivity() {
        // What the engine's swift-metrics counters do once the daemon bootstrapped the metrics system.
        let metrics = DaemonMetrics()
        let tally = EngineCounterTally(counts: metrics.activity)
        Counter(label: "trainq_submit_attempts_total", dimensions: [("outcome", "created"), ("class", "none")], factory: tally).increment()
        Counter(label: "trainq_submit_attempts_total", dimensions: [("outcome", "transient"), ("class", "transient")], factory: tally)
            .increment(by: 2)
        Counter(label: "trainq_reconcile_results_total", dimensions: [("result", "found")], factory: tally).increment()
        Counter(label: "trainq_something_else_total", factory: tally).increment()
        let activity = metrics.activity.snapshot
        #expect(activity.attempts == ["created": 1, "transient": 2])
        #expect(activity.reconcileResults == ["found": 1])
    }

    @Test func countersOnlyMoveForward() throws {
        let metrics = DaemonMetrics()
        let record = ModelArtsClient.CallRecord(operation: .listVersions, limiterWait: .zero, duration: .milliseconds(5), httpStatus: 200, error: nil)
        var last = 0.0
        for _ in 0..<5 {
            metrics.observe(record)
            let now = try MetricsExposition(metrics.render()).sum("trainq_modelarts_calls_total", where: ["operation": "list_versions"])
            #expect(now == last + 1)
            last = now
        }
    }

    @Test func theStrictReaderRejectsWhatPrometheusWould() {
        #expect(throws: MetricsExposition.Invalid.self) { try MetricsExposition("orphan_sample 1\n") }
        #expect(throws: MetricsExposition.Invalid.self) { try MetricsExposition("# TYPE a counter\na{b=c} 1\n") }
        #expect(throws: MetricsExposition.Invalid.self) { try MetricsExposition("# TYPE a counter\na one\n") }
        #expect(throws: MetricsExposition.Invalid.self) {
            try MetricsExposition("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n")
        }
        #expect(throws: Never.self) {
            try MetricsExposition("# HELP a A.\n# TYPE a counter\na{b=\"c\\\"d\"} 1 1700000000\n")
        }
    }
}
