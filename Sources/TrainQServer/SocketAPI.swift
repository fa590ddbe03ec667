import Foundation
import HTTPTypes
import Hummingbird
import Logging
import JSONTree
import NIOCore
import NIOFoundationCompat
import ServiceLifecycle
import TrainQAPI
import TrainQStore

/// The socket API of DESIGN §4 as a Hummingbird router. Handlers are thin: they check the caller and
/// the input, then ask the store (reads, intake) or the engine (actions).
public struct SocketAPI: Sendable {
    public struct Settings: Sendable {
        public var defaultProjectID: String?
        public var maxBodyBytes: Int
        public var simulated: Bool
        public var startedAt: Date
        public var version: String

        public init(
            defaultProjectID: String?, maxBodyBytes: Int, simulated: Bool,
            startedAt: Date = Date(), version: String = TrainQVersion.current
        ) {
            self.defaultProjectID = defaultProjectID
            self.maxBodyBytes = maxBodyBytes
            self.simulated = simulated
            self.startedAt = startedAt
            self.version = version
        }

        /// A batch carries up to a thousand requests, so it may be larger than one request.
        public var maxBatchBodyBytes: Int { maxBodyBytes * Self.batchBodyFactor }
        public static let batchBodyFactor = 16
    }

    let store: any SubmissionStorage
    let control: any SubmissionControl
    let settings: Settings
    let metrics: DaemonMetrics

    public init(store: any SubmissionStorage, control: any SubmissionControl, settings: Settings, metrics: DaemonMetrics = DaemonMetrics()) {
        self.store = store
        self.control = control
        self.settings = settings
        self.metrics = metrics
    }

    /// The longest a long-poll may wait; longer asks are cut to this.
    static let maxLongPoll: Duration = .seconds(300)

    public func router(
        identify: @escaping @Sendable (Request, TrainQRequestContext) async -> Caller?
    ) -> Router<TrainQRequestContext> {
        let router = Router(context: TrainQRequestContext.self)
        var table = RouteTable()
        table.add("/v1/submissions", [.get, .post])
        table.add("/v1/submissions/batch", [.post])
        table.add("/v1/submissions/{id}", [.get])
        table.add("/v1/submissions/{id}/cancel", [.post])
        table.add("/v1/submissions/{id}/retry", [.post])
        table.add("/v1/submissions/{id}/resolve", [.post])
        table.add("/v1/events", [.get])
        table.add("/v1/health", [.get])
        table.add("/metrics", [.get])
        router.add(middleware: ErrorEnvelopeMiddleware(routes: table))
        router.add(middleware: CallerMiddleware(identify: identify))

        router.post("/v1/submissions") { request, context in try await self.submit(request, context) }
        router.post("/v1/submissions/batch") { request, context in try await self.submitBatch(request, context) }
        router.get("/v1/submissions") { request, context in try await self.list(request, context) }
        router.get("/v1/submissions/{id}") { _, context in try await self.show(context) }
        router.post("/v1/submissions/{id}/cancel") { _, context in try await self.cancel(context) }
        router.post("/v1/submissions/{id}/retry") { _, context in try await self.retry(context) }
        router.post("/v1/submissions/{id}/resolve") { request, context in try await self.resolve(request, context) }
        router.get("/v1/events") { request, context in try await self.events(request, context) }
        router.get("/v1/health") { _, _ in try await self.health() }
        router.get("/metrics") { _, _ in try await self.metricsText() }
        return router
    }

    // MARK: Intake

    func submit(_ request: Request, _ context: TrainQRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        var request = request
        let body = try await request.collectBody(upTo: settings.maxBodyBytes)
        return try await acceptSubmission(
            body: body, contentType: request.headers[.contentType],
            idempotencyKey: request.headers[Self.idempotencyKeyField], caller: caller, logger: context.logger
        ).response()
    }

    /// `POST /v1/submissions` once its body is read and its caller admitted, through the router: the
    /// answer, or the `APIError`. `IntakeHandler` takes the same two steps around the store's callback.
    func acceptSubmission(
        body: ByteBuffer, contentType: String?, idempotencyKey field: String?, caller: Caller, logger: Logger
    ) async throws(APIError) -> RenderedResponse {
        let new = try submission(body: body, contentType: contentType, idempotencyKey: field, caller: caller)
        let outcome: Result<InsertOutcome, any Error>
        do {
            outcome = .success(try await store.insert(new))
        } catch {
            outcome = .failure(error)
        }
        return try answer(to: new, outcome, caller: caller, logger: logger)
    }

    /// The first step of a submission on either path: the request checked and made ready to store.
    func submission(body: ByteBuffer, contentType: String?, idempotencyKey field: String?, caller: Caller) throws(APIError) -> NewSubmission {
        let accepted = try SubmissionIntake(defaultProjectID: settings.defaultProjectID).accept(body: body, contentType: contentType)
        let key = try Self.idempotencyKey(field)
        return accepted.newSubmission(owner: caller.owner, idempotencyKey: key, at: Date())
    }

    /// The last step: what the store's outcome tells the caller.
    func answer(
        to new: NewSubmission, _ outcome: Result<InsertOutcome, any Error>, caller: Caller, logger: Logger
    ) throws(APIError) -> RenderedResponse {
        switch outcome {
        case .failure(let error):
            logger.error("could not store a submission: \(error)", metadata: ["uid": "\(caller.uid)", "job_id": "\(new.jobID)"])
            throw APIError.storeUnavailable("the submission was not stored (\(error)); nothing was acknowledged, try again")
        case .success(.created(let submission)):
            logger.info("accepted submission", metadata: [
                "submission": "\(submission.id)", "job_id": "\(submission.jobID)", "uid": "\(caller.uid)",
            ])
            control.submissionAccepted(submission)
            return try Self.render(JSONResponse(submission, status: .accepted))
        case .success(.replayed(let submission)):
            return try Self.render(JSONResponse(submission, status: .ok))
        case .success(.idempotencyConflict(let existingID)):
            throw APIError(.conflict, .idempotencyConflict,
                           "Idempotency-Key '\(new.idempotencyKey ?? "")' was already used for submission \(existingID) with a different body")
        }
    }

    /// A view that cannot be encoded is the daemon's fault, not the caller's.
    private static func render<Value>(_ response: JSONResponse<Value>) throws(APIError) -> RenderedResponse {
        do {
            return try response.rendered()
        } catch {
            throw APIError(.internalServerError, .internalError, "the answer could not be written (\(error))")
        }
    }

    /// `POST /v1/submissions/batch`: every item validated first, then all stored in one transaction.
    func submitBatch(_ request: Request, _ context: TrainQRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        var request = request
        let body = try await request.collectBody(upTo: settings.maxBatchBodyBytes)
        let accepted = try SubmissionIntake(defaultProjectID: settings.defaultProjectID)
            .acceptBatch(body: body, contentType: request.headers[.contentType], maximumItems: SubmissionStore.maximumBatchItems)
        let key = try Self.idempotencyKey(request.headers[Self.idempotencyKeyField])
        let at = Date()
        let outcome: BatchInsertOutcome
        do {
            outcome = try await store.insertBatch(
                accepted.map { $0.newSubmission(owner: caller.owner, idempotencyKey: nil, at: at) },
                idempotencyKey: key)
        } catch {
            context.logger.error("could not store a batch: \(error)", metadata: ["uid": "\(caller.uid)", "items": "\(accepted.count)"])
            throw APIError.storeUnavailable("the batch was not stored (\(error)); nothing was acknowledged, try again")
        }
        switch outcome {
        case .created(let submissions):
            context.logger.info("accepted a batch", metadata: [
                "items": "\(submissions.count)", "first": "\(submissions.first?.id ?? "")", "uid": "\(caller.uid)",
            ])
            for submission in submissions {
                control.submissionAccepted(submission)
            }
            return try JSONResponse(SubmissionList(submissions: submissions, nextCursor: nil), status: .accepted).response(from: request, context: context)
        case .replayed(let submissions):
            return try JSONResponse(SubmissionList(submissions: submissions, nextCursor: nil), status: .ok).response(from: request, context: context)
        case .idempotencyConflict(let existingID):
            throw APIError(.conflict, .idempotencyConflict,
                           "Idempotency-Key '\(key ?? "")' was already used for submission \(existingID), which is not this batch")
        }
    }

    static let idempotencyKeyField = HTTPField.Name("Idempotency-Key")!

    private static func idempotencyKey(_ field: String?) throws(APIError) -> String? {
        guard let key = field else { return nil }
        guard (1...255).contains(key.utf8.count), key.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value < 0x7f }) else {
            throw APIError(.badRequest, .validationFailed, "Idempotency-Key must be 1–255 visible ASCII characters", details: [
                FieldProblem(field: "Idempotency-Key", problem: "1–255 visible ASCII characters, no spaces")
            ])
        }
        return key
    }

    // MARK: Reads

    func list(_ request: Request, _ context: TrainQRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        var query = SubmissionQuery()
        if let state = parameters.get("state") {
            guard let parsed = SubmissionState(rawValue: state) else {
                throw APIError.badRequest("unknown state '\(state)'; use one of \(SubmissionState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query.state = parsed
        }
        if let jobID = parameters.get("job_id") {
            guard let parsed = Int64(jobID), parsed > 0 else { throw APIError.badRequest("job_id must be a positive integer") }
            query.jobID = parsed
        }
        if let owner = parameters.get("owner") {
            guard let uid = UInt32(owner) ?? UserDirectory.userID(name: owner) else {
                throw APIError.badRequest("owner '\(owner)' is neither a uid nor a known user name")
            }
            query.ownerUID = uid
        }
        if let limit = parameters.get("limit") {
            guard let parsed = Int(limit), (1...500).contains(parsed) else { throw APIError.badRequest("limit must be 1–500") }
            query.limit = parsed
        }
        query.cursor = parameters.get("cursor")
        do {
            return try JSONResponse(try await store.list(query)).response(from: request, context: context)
        } catch let error as StoreError where error.kind == .invalidCursor {
            throw APIError.badRequest("cursor is not one this daemon handed out")
        } catch let error as StoreError {
            throw APIError.storeUnavailable("\(error)")
        }
    }

    func show(_ context: TrainQRequestContext) async throws -> JSONResponse<SubmissionView> {
        let id = try context.parameters.require("id")
        guard let submission = try await storeRead({ try await store.submission(id: id) }) else {
            throw APIError.notFound("no submission with id '\(id)'")
        }
        return JSONResponse(submission)
    }

    // MARK: Actions

    func cancel(_ context: TrainQRequestContext) async throws -> JSONResponse<SubmissionView> {
        let id = try await authorizeAction(context)
        do {
            return JSONResponse(try await control.cancel(id: id))
        } catch { throw error.apiError }
    }

    func retry(_ context: TrainQRequestContext) async throws -> JSONResponse<SubmissionView> {
        let id = try await authorizeAction(context)
        do {
            return JSONResponse(try await control.retry(id: id))
        } catch { throw error.apiError }
    }

    func resolve(_ request: Request, _ context: TrainQRequestContext) async throws -> JSONResponse<SubmissionView> {
        let caller = try context.requireCaller()
        guard caller.role == .admin else {
            throw APIError.forbidden("only an admin may resolve a submission that needs attention")
        }
        let id = try context.parameters.require("id")
        var request = request
        let body = try await request.collectBody(upTo: settings.maxBodyBytes)
        let document = try JSONBody.parse(body, contentType: request.headers[.contentType])
        let unknown = (document.objectValue?.keys.filter { !["action", "version_id", "training_job_id"].contains($0) } ?? []).sorted()
        let resolution: ResolveRequest
        do {
            guard unknown.isEmpty else { throw APIError.badRequest("unknown fields") }
            resolution = try APICoding.decoder().decode(ResolveRequest.self, from: Data(buffer: body))
        } catch {
            throw APIError(
                .badRequest, .validationFailed,
                "the body must be {\"action\": \"adopt\"|\"requeue\"|\"cancel\", \"version_id\"?: N, \"training_job_id\"?: \"UUID\"}",
                details: unknown.map { FieldProblem(field: $0, problem: "is not a field of a resolution") })
        }
        if resolution.action == .adopt, let trainingJobID = resolution.trainingJobID, !SubmissionIntake.isTrainingJobID(trainingJobID) {
            throw APIError(.badRequest, .validationFailed, "training_job_id must be a UUID", details: [
                FieldProblem(field: "training_job_id", problem: "must be a training job id (a UUID)")
            ])
        }
        if resolution.action == .adopt, (resolution.versionID == nil) == (resolution.trainingJobID == nil) {
            throw APIError(.badRequest, .validationFailed, "adopt needs a version_id (v1) or a training_job_id (v2)", details: [
                FieldProblem(field: "version_id", problem: "exactly one of version_id and training_job_id goes with action adopt")
            ])
        }
        do {
            return JSONResponse(try await control.resolve(id: id, resolution))
        } catch { throw error.apiError }
    }

    /// The submission must exist and the caller must own it or be an admin.
    private func authorizeAction(_ context: TrainQRequestContext) async throws -> String {
        let caller = try context.requireCaller()
        let id = try context.parameters.require("id")
        guard let submission = try await storeRead({ try await store.submission(id: id) }) else {
            throw APIError.notFound("no submission with id '\(id)'")
        }
        guard caller.mayAct(on: submission.owner) else {
            context.logger.warning("refused an action on another user's submission", metadata: [
                "uid": "\(caller.uid)", "pid": "\(caller.pid)", "submission": "\(id)", "job_id": "\(submission.jobID)",
            ])
            throw APIError.forbidden("submission \(id) belongs to \(submission.owner.user); only its owner or an admin may change it")
        }
        return id
    }

    // MARK: Events and health

    func events(_ request: Request, _ context: TrainQRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        var after: Int64 = 0
        if let text = parameters.get("after") {
            guard let value = Int64(text), value >= 0 else { throw APIError.badRequest("after must be a sequence number ≥ 0") }
            after = value
        }
        var timeout: Duration = .seconds(30)
        if let text = parameters.get("timeout") {
            guard let value = try? ConfigurationValueParsing.duration(text, key: "timeout") else {
                throw APIError.badRequest("timeout must be a duration such as 30s")
            }
            timeout = min(value, Self.maxLongPoll)
        }
        var jobID: Int64?
        if let text = parameters.get("job_id") {
            guard let value = Int64(text), value > 0 else { throw APIError.badRequest("job_id must be a positive integer") }
            jobID = value
        }
        let submission = parameters.get("submission")
        let filter = EventFilter(submission: submission, jobID: jobID)
        if parameters.get("follow") == "true" {
            return followStream(after: after, filter: filter)
        }
        var page = try await storeRead { try await store.events(after: after, submission: submission, jobID: jobID, limit: 500) }
        var deadline = ContinuousClock.now + timeout
        // Wait for a matching event; a non-matching one moves `after` on and the wait goes on. A shutdown
        // ends the wait at once: the drain would otherwise hold the daemon (and a restart) for the whole
        // long-poll, and the client asks again from its last seq anyway.
        while page.events.isEmpty, ContinuousClock.now < deadline, !Task.isCancelled {
            let cursor = max(after, page.lastSeq)
            let remaining = deadline - ContinuousClock.now
            let store = self.store
            guard await cancelWhenGracefulShutdown({ await store.waitForEvents(after: cursor, timeout: remaining) }) else { break }
            page = try await storeRead { try await store.events(after: cursor, submission: submission, jobID: jobID, limit: 500) }
            if Task.isShuttingDownGracefully { deadline = .now }
        }
        return try JSONResponse(page).response(from: request, context: context)
    }

    struct EventFilter {
        var submission: String?
        var jobID: Int64?
    }

    /// `follow=true`: newline-delimited JSON, one event a line, until the client goes away or the
    /// daemon stops. Starting from `after` means a client that reconnects with its last seq misses nothing.
    private func followStream(after: Int64, filter: EventFilter) -> Response {
        let store = self.store
        let body = ResponseBody { writer in
            var cursor = after
            while !Task.isCancelled, !Task.isShuttingDownGracefully {
                let page = try await store.events(after: cursor, submission: filter.submission, jobID: filter.jobID, limit: 500)
                for event in page.events {
                    try await writer.write(ByteBuffer(bytes: event.apiJSONBytes()))
                }
                // A full page may have more behind it: go on from its last event, not from `lastSeq`,
                // which is the newest event of all and would skip the rest.
                if page.events.count < 500 {
                    cursor = max(cursor, page.lastSeq)
                } else {
                    cursor = page.events.last?.seq ?? cursor
                }
                if page.events.count < 500 {
                    // Wake at least every second to notice a shutdown.
                    _ = await store.waitForEvents(after: cursor, timeout: .seconds(1))
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: body)
    }

    func health() async throws -> Response {
        var states: [String: Int] = [:]
        var oldestDueSeconds: Double?
        var database = "ok"
        var storage: HealthStorage?
        do {
            let queue = try await metrics.refresh(from: store)
            for state in SubmissionState.allCases { states[state.rawValue] = queue.counts[state] ?? 0 }
            oldestDueSeconds = queue.oldestDueSeconds
            let footprint = queue.footprint
            storage = HealthStorage(bytes: footprint.bytes, freeBytes: footprint.freeBytes, oldestKeptAt: footprint.oldestCreatedAt)
        } catch {
            database = "unavailable: \(error)"
        }
        let rate = await control.outgoingRate()
        metrics.setOutgoingRate(rate.current)
        let view = HealthView(
            status: database == "ok" ? "ok" : "degraded", database: database, version: settings.version,
            startedAt: settings.startedAt, states: states, lastModelArtsSuccessAt: await control.lastModelArtsSuccess(),
            simulated: settings.simulated, oldestDueSeconds: oldestDueSeconds, activity: metrics.activity.snapshot,
            modelArtsRate: rate, storage: storage
        )
        var data = try APICoding.encoder().encode(view)
        data.append(UInt8(ascii: "\n"))
        return Response(
            status: database == "ok" ? .ok : .serviceUnavailable,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    /// Prometheus text; the gauges that mirror the database are refreshed first.
    func metricsText() async throws -> Response {
        _ = try await storeRead { try await metrics.refresh(from: store) }
        metrics.setOutgoingRate(await control.outgoingRate().current)
        return Response(
            status: .ok,
            headers: [.contentType: DaemonMetrics.contentType],
            body: .init(byteBuffer: ByteBuffer(string: metrics.render()))
        )
    }

    /// Store reads that fail are the store's unavailability, not the caller's fault.
    private func storeRead<Value>(_ body: () async throws -> Value) async throws -> Value {
        do {
            return try await body()
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.storeUnavailable("the database could not be read: \(error)")
        }
    }
}

extension TrainQRequestContext {
    func requireCaller() throws(APIError) -> Caller {
        guard let caller else { throw APIError(.forbidden, .unauthenticated, "the caller could not be identified") }
        return caller
    }
}

/// The version string the daemon reports.
public enum TrainQVersion {
    public static let current = "0.1.0"
}
