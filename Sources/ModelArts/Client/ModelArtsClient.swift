import AsyncHTTPClient
import Foundation
import Logging
import NIOHTTP1

/// The client of the ModelArts v1 training-version API. Every call passes the shared
/// `OutgoingCallLimiter`, is signed (AK/SK) or carries a token, and returns a typed value or throws one
/// `ModelArtsError`. It never retries on its own, with one exception: a token the service calls stale is
/// replaced and the call repeated once (the gateway refused it, so nothing was applied).
public final class ModelArtsClient: Sendable {
    public let configuration: ModelArtsClientConfiguration
    /// The gate all calls pass; share it with anything else that calls the service.
    public let limiter: OutgoingCallLimiter
    /// The service's clock, as its answers tell it.
    public let serverClock = ServerClock()
    private let httpClient: HTTPClient
    private let transport: HTTPTransport
    private let builder: OutgoingRequestBuilder
    private let logger: Logger
    private let observer: (@Sendable (CallRecord) -> Void)?

    /// What one finished call looked like, for metrics and "last successful call" bookkeeping.
    public struct CallRecord: Sendable {
        public var operation: ModelArtsOperation
        /// Time spent queued at the limiter.
        public var limiterWait: Duration
        /// Time on the wire, after the limiter.
        public var duration: Duration
        public var httpStatus: Int?
        public var error: ModelArtsError?
    }

    /// - Parameters:
    ///   - limiter: pass the one shared limiter; without it the client makes its own from the configuration.
    ///   - observer: told about every call as it finishes (called on an arbitrary task; keep it quick).
    public init(
        configuration: ModelArtsClientConfiguration,
        limiter: OutgoingCallLimiter? = nil,
        logger: Logger = Logger(label: "trainq.modelarts"),
        observer: (@Sendable (CallRecord) -> Void)? = nil
    ) throws(ModelArtsError) {
        let problems = configuration.problems()
        guard problems.isEmpty else {
            throw .configuration(operation: .createVersion, message: problems.joined(separator: "; "))
        }
        self.configuration = configuration
        self.limiter = limiter ?? OutgoingCallLimiter(configuration: .init(
            rate: configuration.rate, burst: configuration.burst, concurrency: configuration.concurrency))
        self.httpClient = HTTPClientFactory.make(.init(
            connectTimeout: configuration.connectTimeout, caFile: configuration.caFile, proxy: configuration.proxy))
        self.transport = HTTPTransport(
            httpClient: httpClient, requestTimeout: configuration.requestTimeout,
            maxResponseBytes: configuration.maxResponseBytes)
        self.builder = OutgoingRequestBuilder(
            endpoint: configuration.endpoint, projectID: configuration.projectID, userAgent: configuration.userAgent)
        self.logger = logger
        self.observer = observer
    }

    /// Closes the connections, and the token provider's. Calls still running fail. Call it once, at the
    /// end: async-http-client insists on an explicit shutdown before the client is released.
    public func shutdown() async throws {
        if case .token(let provider) = configuration.authentication { await provider.shutdown() }
        try await httpClient.shutdown()
    }

    // MARK: - The API

    /// `POST .../training-jobs/{job_id}/versions` with `request.wireBody()`. Not idempotent: on an
    /// `.unknownOutcome` failure, reconcile with `listAllVersions` before sending again.
    public func createVersion(
        jobID: Int64, request: CreateVersionRequest, projectID: String? = nil, logger: Logger? = nil,
        sendGuard: SendGuard? = nil
    ) async throws(ModelArtsError) -> CreateVersionResponse {
        let sent = Date()
        let response = try await call(
            .createVersion, .createVersion(jobID: jobID), projectID: projectID, body: request.wireBody(),
            logger: logger, sendGuard: sendGuard, decode: CreateVersionResponse.decode)
        // The version was stamped on the service's clock while the call was out: a millisecond reading.
        if let createTime = response.createTime {
            serverClock.observe(
                serverTime: Date(timeIntervalSince1970: TimeInterval(createTime) / 1000), resolution: .milliseconds(1),
                sent: sent, received: Date())
        }
        return response
    }

    /// `GET .../training-jobs/{job_id}/versions/{version_id}`.
    public func showVersion(
        jobID: Int64, versionID: Int64, projectID: String? = nil, priority: OutgoingCallLimiter.Priority = .normal,
        logger: Logger? = nil
    ) async throws(ModelArtsError) -> VersionDetail {
        try await call(.showVersion, .showVersion(jobID: jobID, versionID: versionID), projectID: projectID,
                       priority: priority, logger: logger, decode: VersionDetail.decode)
    }

    /// `GET .../training-jobs/{job_id}/versions`; `page` 0 asks for every version without paging (the
    /// service's default), pages count from 1, `perPage` is 1–1000.
    public func listVersions(
        jobID: Int64, page: Int = 0, perPage: Int = 10, projectID: String? = nil,
        priority: OutgoingCallLimiter.Priority = .normal, logger: Logger? = nil
    ) async throws(ModelArtsError) -> VersionList {
        try await listVersions(jobID: jobID, page: page, perPage: perPage, projectID: projectID, priority: priority, logger: logger, decode: VersionList.decode)
    }

    /// `listVersions` read for tracking: each entry's id, status and timing, the rest kept as bytes
    /// (`VersionStatusList`).
    public func listVersionStatuses(
        jobID: Int64, page: Int, perPage: Int, projectID: String? = nil,
        priority: OutgoingCallLimiter.Priority = .normal, logger: Logger? = nil
    ) async throws(ModelArtsError) -> VersionStatusList {
        try await listVersions(
            jobID: jobID, page: page, perPage: perPage, projectID: projectID, priority: priority, logger: logger, decode: VersionStatusList.decode)
    }

    private func listVersions<List>(
        jobID: Int64, page: Int, perPage: Int, projectID: String?, priority: OutgoingCallLimiter.Priority, logger: Logger?,
        decode: (Data) throws(WireDecodingError) -> List
    ) async throws(ModelArtsError) -> List {
        guard page >= 0, (1...1000).contains(perPage) else {
            throw .configuration(operation: .listVersions, message: "page must be >= 0 and per_page 1-1000, got page \(page), per_page \(perPage)")
        }
        return try await call(.listVersions, .listVersions(jobID: jobID, page: page, perPage: perPage), projectID: projectID,
                              priority: priority, logger: logger, decode: decode)
    }

    /// Every version of a job, fetched page by page (1, 2, ...) with `perPage` up to 1000, without
    /// duplicates, until a page comes back short. If the job's version count changes during the walk (a
    /// create landed), the walk is repeated, up to three times, so a version created meanwhile is not
    /// missed. Nothing assumes an order of versions or of their ids.
    public func listAllVersions(
        jobID: Int64, perPage: Int = 1000, projectID: String? = nil, priority: OutgoingCallLimiter.Priority = .normal,
        logger: Logger? = nil
    ) async throws(ModelArtsError) -> [VersionDetail] {
        try await walkAllPages(perPage: perPage) { page throws(ModelArtsError) in
            let list = try await listVersions(jobID: jobID, page: page, perPage: perPage, projectID: projectID, priority: priority, logger: logger)
            return (list.versionCount, list.versions.map { ($0.versionID, $0) })
        }
    }

    /// `listAllVersions` as tracking reads it: every version's id, status and timing (`VersionSighting`).
    public func listAllVersionStatuses(
        jobID: Int64, perPage: Int = 1000, projectID: String? = nil, priority: OutgoingCallLimiter.Priority = .normal,
        logger: Logger? = nil
    ) async throws(ModelArtsError) -> [VersionSighting] {
        try await walkAllPages(perPage: perPage) { page throws(ModelArtsError) in
            let list = try await listVersionStatuses(
                jobID: jobID, page: page, perPage: perPage, projectID: projectID, priority: priority, logger: logger)
            return (list.versionCount, list.versions.map { ($0.versionID, $0) })
        }
    }

    /// The walk of `listAllVersions` over pages of any reading of the list: `fetch` returns a page's
    /// `version_count` and its entries with their ids.
    private func walkAllPages<Entry>(
        perPage: Int, fetch: (Int) async throws(ModelArtsError) -> (count: Int64?, entries: [(id: Int64?, entry: Entry)])
    ) async throws(ModelArtsError) -> [Entry] {
        var collected: [Entry] = []
        for _ in 1...3 {
            var seen: Set<Int64> = []
            collected = []
            var firstCount: Int64?
            var lastCount: Int64?
            var page = 1
            while page <= Self.maxPages {
                let list = try await fetch(page)
                if page == 1 { firstCount = list.count }
                lastCount = list.count
                for (id, entry) in list.entries {
                    guard let id, seen.insert(id).inserted else { continue }
                    collected.append(entry)
                }
                // Only a short page ends the walk: `version_count` may disagree with what is listed (the
                // documentation's own sample says 2 and lists 1), and stopping on it could miss the very
                // version that reconciliation looks for.
                if list.entries.count < perPage { break }
                page += 1
            }
            if firstCount == lastCount { break }
        }
        return collected
    }

    static let maxPages = 10_000

    /// `POST .../versions/{version_id}/stop` (asynchronous: the status moves to 9, then 12 or 13).
    public func stopVersion(
        jobID: Int64, versionID: Int64, projectID: String? = nil, logger: Logger? = nil
    ) async throws(ModelArtsError) {
        try await call(.stopVersion, .stopVersion(jobID: jobID, versionID: versionID), projectID: projectID, logger: logger) {
            _ throws(WireDecodingError) in ()
        }
    }

    /// `GET .../training-jobs` with the given filters.
    public func listJobs(_ query: JobListQuery = JobListQuery(), projectID: String? = nil) async throws(ModelArtsError) -> JobList {
        let problems = query.problems()
        guard problems.isEmpty else {
            throw .configuration(operation: .listJobs, message: problems.joined(separator: "; "))
        }
        return try await call(.listJobs, .listJobs(query), projectID: projectID, decode: JobList.decode)
    }

    // MARK: - One call

    /// Asked right before a request goes out, after any wait for a call slot: a reason not to send it
    /// (the job's lease on a shared database would not outlast the call), or nil to send. A refused call
    /// fails as `transportNotSent`, since nothing left.
    public typealias SendGuard = @Sendable () async -> String?

    /// - Parameter logger: the caller's logger, so the call's lines carry its metadata (the submission,
    ///   the job); the client's own when nil.
    func call<Value>(
        _ operation: ModelArtsOperation,
        _ target: RequestTarget,
        projectID: String?,
        body: Data = Data(),
        priority: OutgoingCallLimiter.Priority = .normal,
        logger callerLogger: Logger? = nil,
        sendGuard: SendGuard? = nil,
        decode: (Data) throws(WireDecodingError) -> Value
    ) async throws(ModelArtsError) -> Value {
        let logger = callerLogger ?? self.logger
        if let projectID, projectID.isEmpty || projectID.contains("/") {
            throw .configuration(operation: operation, message: "project_id must be a non-empty path segment")
        }
        switch configuration.authentication {
        case .accessKey(let signer):
            do {
                return try await attempt(operation, target, projectID: projectID, body: body, priority: priority, credential: .signer(signer), logger: logger, sendGuard: sendGuard, decode: decode)
            } catch {
                // Nothing to refresh with AK/SK: a token-class answer is final.
                throw error.afterTokenRefresh()
            }
        case .token(let provider):
            let token = try await provider.token()
            do {
                return try await attempt(operation, target, projectID: projectID, body: body, priority: priority, credential: .token(token.value), logger: logger, sendGuard: sendGuard, decode: decode)
            } catch where error.errorClass == .tokenRefresh {
                logger.info("token refused, refreshing once", metadata: ["operation": "\(operation)", "error_code": "\(error.errorCode ?? "-")"])
                let fresh = try await provider.token(replacing: token)
                do {
                    return try await attempt(operation, target, projectID: projectID, body: body, priority: priority, credential: .token(fresh.value), logger: logger, sendGuard: sendGuard, decode: decode)
                } catch {
                    throw error.afterTokenRefresh()
                }
            }
        }
    }

    private func attempt<Value>(
        _ operation: ModelArtsOperation,
        _ target: RequestTarget,
        projectID: String?,
        body: Data,
        priority: OutgoingCallLimiter.Priority,
        credential: OutgoingRequestBuilder.Credential,
        logger: Logger,
        sendGuard: SendGuard?,
        decode: (Data) throws(WireDecodingError) -> Value
    ) async throws(ModelArtsError) -> Value {
        let permit: OutgoingCallLimiter.Permit
        do {
            permit = try await limiter.acquire(priority: priority)
        } catch {
            throw .transportNotSent(operation: operation, message: "cancelled while waiting for a call slot")
        }
        if let sendGuard, let refusal = await sendGuard() {
            await limiter.release(permit, outcome: .failed)
            throw .transportNotSent(operation: operation, message: "not sent: \(refusal)")
        }
        let clock = ContinuousClock()
        let started = clock.now
        // Signed after the wait, so X-Sdk-Date is fresh however long the queue was.
        let request = builder.build(target, projectOverride: projectID, body: body, credential: credential, date: Date())
        var status: Int?
        let result: Result<Value, ModelArtsError>
        let sent = Date()
        do {
            let response = try await transport.execute(request, operation: operation, logger: logger)
            serverClock.observe(dateHeader: response.headers.first(name: "Date"), sent: sent, received: Date())
            status = response.status
            result = .success(try ResponseInterpreter.interpret(response, operation: operation, decode: decode))
        } catch {
            result = .failure(error)
        }
        await limiter.release(permit, outcome: Self.limiterOutcome(result.failure))
        let record = CallRecord(operation: operation, limiterWait: permit.waited, duration: clock.now - started,
                                httpStatus: status, error: result.failure)
        log(record, to: logger)
        observer?(record)
        return try result.get()
    }

    /// What a call's end teaches the shared rate: a 429 slows it, an answer lets it climb back.
    private static func limiterOutcome(_ error: ModelArtsError?) -> OutgoingCallLimiter.CallOutcome {
        guard let error else { return .succeeded }
        return error.errorClass == .throttled ? .throttled(statedRate: error.retryHint.statedRate) : .failed
    }

    private func log(_ record: CallRecord, to logger: Logger) {
        var metadata: Logger.Metadata = [
            "operation": "\(record.operation)",
            "limiter_wait_ms": "\(record.limiterWait.milliseconds)",
            "duration_ms": "\(record.duration.milliseconds)",
        ]
        if let status = record.httpStatus { metadata["http_status"] = "\(status)" }
        if let error = record.error {
            metadata["error"] = "\(error)"
            metadata["class"] = "\(error.errorClass.rawValue)"
            logger.notice("ModelArts call failed", metadata: metadata)
        } else {
            logger.debug("ModelArts call done", metadata: metadata)
        }
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}

extension Duration {
    fileprivate var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
