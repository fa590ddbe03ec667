import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ModelArts
import NIOCore
import NIOFoundationCompat
import TrainQAPI
import TrainQEngine
import TrainQStore
@testable import TrainQServer

/// A socket API over a real store and a real engine whose services are not running (so submissions
/// stay where the API puts them), tested through HummingbirdTesting's router framework. Router tests
/// have no socket, so the caller is named per request with the `X-Test-Caller` header:
/// `admin`, `alice`, `bob` (members) or `mallory` (not allowed).
struct SocketAPIFixture {
    let directory: TemporaryDirectory
    let store: SubmissionStore
    let client: ModelArtsClient
    let application: Application<RouterResponder<TrainQRequestContext>>
    /// Every route the router serves, as `METHOD /path/{capture}`.
    let routes: Set<String>

    /// The seed's project, the default of every submission here.
    static let projectID = "0123456789abcdef0123456789abcdef"

    static let callers: [String: Caller] = [
        "admin": Caller(uid: 0, gid: 0, pid: 10, userName: "root", role: .admin),
        "alice": Caller(uid: 1001, gid: 1001, pid: 11, userName: "alice", role: .member),
        "bob": Caller(uid: 1002, gid: 1002, pid: 12, userName: "bob", role: .member),
        "mallory": Caller(uid: 1003, gid: 1003, pid: 13, userName: "mallory", role: .none),
    ]

    init(maxBodyBytes: Int = 1 << 20) throws {
        directory = try TemporaryDirectory()
        let logger = Logger(label: "test")
        store = try SubmissionStore(path: directory.file("trainq.db"), logger: logger)
        let limiter = OutgoingCallLimiter(configuration: .init(rate: 100, burst: 100, concurrency: 4))
        // Nothing listens there: these tests never reach ModelArts.
        client = try ModelArtsClient(
            configuration: .init(
                endpoint: URL(string: "http://127.0.0.1:9")!, projectID: SocketAPIFixture.projectID,
                authentication: .accessKey(AKSKSigner(accessKey: "AK", secretKey: "SK"))
            ),
            limiter: limiter
        )
        let engine = SubmissionEngine(store: store, client: client, configuration: .init(), logger: logger)
        let control = EngineControl(engine: engine, lastSuccess: LastModelArtsSuccess())
        let api = SocketAPI(
            store: store, control: control,
            settings: .init(defaultProjectID: SocketAPIFixture.projectID, maxBodyBytes: maxBodyBytes, simulated: true)
        )
        let router = api.router { request, _ in
            Self.callers[request.headers[HTTPField.Name("X-Test-Caller")!] ?? "admin"]
        }
        routes = Set(router.routes.map { "\($0.method) \($0.path)" })
        application = Application(router: router)
    }

    func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await application.test(.router, body)
        try? await client.shutdown()
    }

    static let seedBody = """
        {"job_id": 10, "job_desc": "This is a ModelArts job", "config": {"worker_server_num": 1, "app_url": "/usr/app/",
         "boot_file_url": "/usr/app/boot.py", "parameter": [{"label": "learning_rate", "value": "0.01"},
         {"label": "batch_size", "value": "32"}], "dataset_id": "38277e62-9e59-48f4-8d89-c8cf41622c24",
         "dataset_version_id": "2ff0d6ba-c480-45ae-be41-09a8369bfc90", "spec_id": 1, "engine_id": 1,
         "train_url": "/usr/train/", "log_url": "/usr/log/", "pre_version_id": 20}}
        """
}

extension TestClientProtocol {
    func call(
        _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, as caller: String = "admin",
        headers extra: HTTPFields = [:], contentType: String? = "application/json"
    ) async throws -> TestResponse {
        var headers = extra
        headers[HTTPField.Name("X-Test-Caller")!] = caller
        if let contentType, body != nil { headers[.contentType] = contentType }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try APICoding.decoder().decode(type, from: Data(buffer: body))
    }

    var envelope: ErrorEnvelope? { try? decode(ErrorEnvelope.self) }
}
