import Configuration
import Foundation
import ModelArts
import SystemPackage
import TrainQEngine
import TrainQPostgres
import Yams

/// Values given on the command line; they win over the environment, which wins over the file.
public struct ConfigurationOverrides: Sendable {
    public var configFile: String?
    public var socketPath: String?
    public var databasePath: String?
    /// `--database-url`.
    public var databaseURL: String?
    public var logLevel: String?
    public var simulate: Bool = false

    public init(
        configFile: String? = nil, socketPath: String? = nil, databasePath: String? = nil,
        logLevel: String? = nil, simulate: Bool = false, databaseURL: String? = nil
    ) {
        self.databaseURL = databaseURL
        self.configFile = configFile
        self.socketPath = socketPath
        self.databasePath = databasePath
        self.logLevel = logLevel
        self.simulate = simulate
    }
}

extension DaemonConfiguration {
    public static let defaultConfigFile = "/etc/trainq/trainqd.yaml"

    /// Merges flags, `TRAINQ_*` environment variables and the YAML file (in that order of precedence)
    /// over the defaults, and checks every key and value. The default file may be absent; a file named
    /// with `--config` must exist.
    public static func load(
        overrides: ConfigurationOverrides,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> DaemonConfiguration {
        let explicitFile = overrides.configFile ?? environment["TRAINQ_CONFIG"]
        let filePath = explicitFile ?? defaultConfigFile
        try checkFileKeys(path: filePath, mustExist: explicitFile != nil)
        try checkEnvironmentKeys(environment)

        var flagValues: [AbsoluteConfigKey: ConfigValue] = [:]
        if let socket = overrides.socketPath { flagValues[AbsoluteConfigKey(ConfigKey("socket.path"))] = .init(.string(socket), isSecret: false) }
        if let database = overrides.databasePath { flagValues[AbsoluteConfigKey(ConfigKey("database.path"))] = .init(.string(database), isSecret: false) }
        if let url = overrides.databaseURL { flagValues[AbsoluteConfigKey(ConfigKey("database.url"))] = .init(.string(url), isSecret: false) }
        if let level = overrides.logLevel { flagValues[AbsoluteConfigKey(ConfigKey("log.level"))] = .init(.string(level), isSecret: false) }
        if overrides.simulate { flagValues[AbsoluteConfigKey(ConfigKey("simulate.enabled"))] = .init(.string("true"), isSecret: false) }

        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "flags", values: flagValues),
            EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "trainq"),
        ]
        if FileManager.default.fileExists(atPath: filePath) {
            providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(filePath)))
        }
        return try DaemonConfiguration(reader: ConfigReader(providers: providers))
    }

    init(reader: ConfigReader) throws {
        self.init()
        let values = ConfigurationLookup(reader: reader)
        let parse = ConfigurationValueParsing.self

        if let path = values.string("socket.path") { socket.path = try nonEmpty(path, key: "socket.path") }
        if let mode = values.string("socket.mode") { socket.mode = try parse.fileMode(mode, key: "socket.mode") }
        if let group = values.string("socket.group") { socket.group = group.isEmpty ? nil : group }
        if let size = values.string("socket.max_body_bytes") {
            socket.maxBodyBytes = try parse.integer(size, key: "socket.max_body_bytes", range: 1024...(64 << 20))
        }
        if let idle = values.string("socket.idle_timeout") { socket.idleTimeout = try parse.duration(idle, key: "socket.idle_timeout") }
        if let path = values.string("database.path") { databasePath = try nonEmpty(path, key: "database.path") }
        if let url = values.string("database.url"), !url.isEmpty {
            do {
                _ = try PostgresDatabaseURL(parsing: url)
            } catch {
                throw ConfigurationError(key: error.key, problem: error.problem)
            }
            database.url = url
        }
        if let path = values.string("database.password_file") {
            database.passwordFile = try nonEmpty(path, key: "database.password_file")
        }
        if let value = values.string("database.lease") { database.lease = try parse.duration(value, key: "database.lease") }
        if let value = values.string("database.timeout") { database.timeout = try parse.duration(value, key: "database.timeout") }
        if let name = values.string("instance.name") { instanceName = try parse.instanceName(name, key: "instance.name") }

        if let list = values.list("access.admin_users") { access.adminUsers = list }
        if let list = values.list("access.admin_groups") { access.adminGroups = list }
        if let list = values.list("access.allowed_users") { access.allowedUsers = list }
        if let list = values.list("access.allowed_groups") { access.allowedGroups = list }

        if let endpoint = values.string("modelarts.endpoint") {
            modelArts.endpoint = try parse.url(endpoint, key: "modelarts.endpoint", schemes: ["https", "http"])
        }
        if let project = values.string("modelarts.project_id") {
            guard ProjectID.isValid(project) else {
                throw ConfigurationError(key: "modelarts.project_id", problem: "'\(project)' is not 32 lowercase hex characters")
            }
            modelArts.projectID = project
        }
        if let auth = values.string("modelarts.auth") {
            guard let method = AuthMethod(rawValue: auth) else {
                throw ConfigurationError(key: "modelarts.auth", problem: "'\(auth)' is not 'aksk' or 'token'")
            }
            modelArts.auth = method
        }
        modelArts.accessKeyFile = values.string("modelarts.access_key_file")
        modelArts.secretKeyFile = values.string("modelarts.secret_key_file")
        if let iam = values.string("modelarts.iam_endpoint") {
            modelArts.iamEndpoint = try parse.url(iam, key: "modelarts.iam_endpoint", schemes: ["https", "http"])
        }
        modelArts.iamDomain = values.string("modelarts.iam_domain")
        modelArts.iamUser = values.string("modelarts.iam_user")
        modelArts.iamPasswordFile = values.string("modelarts.iam_password_file")
        modelArts.iamProject = values.string("modelarts.iam_project")
        modelArts.caFile = values.string("modelarts.ca_file")
        if let proxy = values.string("modelarts.proxy") {
            modelArts.proxy = try parse.url(proxy, key: "modelarts.proxy", schemes: ["http", "https"])
        }
        if let value = values.string("modelarts.connect_timeout") {
            modelArts.connectTimeout = try parse.duration(value, key: "modelarts.connect_timeout")
        }
        if let value = values.string("modelarts.request_timeout") {
            modelArts.requestTimeout = try parse.duration(value, key: "modelarts.request_timeout")
        }
        if let value = values.string("modelarts.rate_limit") { engine.rateLimit = try parse.positiveNumber(value, key: "modelarts.rate_limit") }
        if let value = values.string("modelarts.burst") { engine.burst = try parse.integer(value, key: "modelarts.burst", range: 1...10_000) }
        if let value = values.string("modelarts.concurrency") {
            engine.concurrency = try parse.integer(value, key: "modelarts.concurrency", range: 1...256)
        }

        if let value = values.string("submit.max_attempts") {
            engine.retry.maxAttempts = try parse.integer(value, key: "submit.max_attempts", range: 1...1000)
        }
        if let value = values.string("submit.max_age") { engine.retry.maxAge = try parse.duration(value, key: "submit.max_age") }
        if let value = values.string("submit.base_delay") { engine.retry.baseDelay = try parse.duration(value, key: "submit.base_delay") }
        if let value = values.string("submit.max_delay") { engine.retry.maxDelay = try parse.duration(value, key: "submit.max_delay") }
        if let value = values.string("submit.slow_base_delay") {
            engine.retry.slowBaseDelay = try parse.duration(value, key: "submit.slow_base_delay")
        }
        if let value = values.string("submit.slow_max_delay") {
            engine.retry.slowMaxDelay = try parse.duration(value, key: "submit.slow_max_delay")
        }
        if let value = values.string("submit.desc_marker") { engine.descMarker = try parse.bool(value, key: "submit.desc_marker") }
        if let value = values.string("submit.drain_timeout") {
            engine.drainTimeout = try parse.duration(value, key: "submit.drain_timeout")
        }
        if let list = values.list("submit.reconcile_waits") {
            engine.reconcile.relistSchedule = RelistSchedule(
                waits: try list.map { try parse.duration($0, key: "submit.reconcile_waits") }
            )
        }
        if let value = values.string("retention.terminal") {
            let terminal = try parse.duration(value, key: "retention.terminal")
            engine.retention.terminal = terminal == .zero ? nil : terminal
        }
        if let value = values.string("track.min_interval") { track.minInterval = try parse.duration(value, key: "track.min_interval") }
        if let value = values.string("track.max_interval") { track.maxInterval = try parse.duration(value, key: "track.max_interval") }
        if let value = values.string("track.max_queued_interval") {
            track.maxQueuedInterval = try parse.duration(value, key: "track.max_queued_interval")
        }
        if let value = values.string("log.level") { logLevel = try parse.logLevel(value, key: "log.level") }
        if let value = values.string("simulate.enabled") { simulate = try parse.bool(value, key: "simulate.enabled") }
        if let value = values.string("simulate.time_scale") {
            simulateTimeScale = try parse.positiveNumber(value, key: "simulate.time_scale")
        }
        try checkConsistency()
    }

    /// Rules that involve more than one key. The engine's and the tracker's are their own
    /// (`problems()`); the daemon refuses to start on the first, naming any others too.
    func checkConsistency() throws {
        let problems = engine.problems() + track.problems()
        if let first = problems.first {
            let others = problems.dropFirst().map(\.description)
            throw ConfigurationError(
                key: first.key, problem: first.problem + (others.isEmpty ? "" : "; also " + others.joined(separator: "; "))
            )
        }
        // A create starts right after its lease was renewed; it must end before the lease can expire.
        let longestCreate = modelArts.connectTimeout + modelArts.requestTimeout
        // A quarter of the lease is the heartbeat's slack.
        if database.url != nil, database.lease * 3 / 4 <= longestCreate {
            throw ConfigurationError(
                key: "database.lease",
                problem: "must be more than 4/3 of modelarts.connect_timeout + modelarts.request_timeout (\(longestCreate)), so a create ends before its job's lease can expire")
        }
        guard !simulate else { return }
        if modelArts.endpoint == nil {
            throw ConfigurationError(key: "modelarts.endpoint", problem: "is required (or start with --simulate)")
        }
        if modelArts.projectID == nil {
            throw ConfigurationError(key: "modelarts.project_id", problem: "is required (or start with --simulate)")
        }
        if modelArts.auth == .token {
            for (key, value) in [
                ("modelarts.iam_endpoint", modelArts.iamEndpoint), ("modelarts.iam_domain", modelArts.iamDomain),
                ("modelarts.iam_user", modelArts.iamUser), ("modelarts.iam_project", modelArts.iamProject),
            ] where value == nil {
                throw ConfigurationError(key: key, problem: "is required when modelarts.auth is 'token'")
            }
        }
    }

    private func nonEmpty(_ value: String, key: String) throws -> String {
        guard !value.isEmpty else { throw ConfigurationError(key: key, problem: "must not be empty") }
        return value
    }

    /// Reads the YAML file on its own to find keys nobody will ever read (typos), and sections that
    /// are not mappings; swift-configuration only answers for keys it is asked about.
    static func checkFileKeys(path: String, mustExist: Bool) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            if mustExist { throw ConfigurationError(key: "--config", problem: "file '\(path)' does not exist") }
            return
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(key: "--config", problem: "file '\(path)' cannot be read as UTF-8 text")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError(key: "--config", problem: "file '\(path)' is not valid YAML: \(error)")
        }
        guard let root else { return }
        guard let mapping = root.mapping else {
            throw ConfigurationError(key: "--config", problem: "file '\(path)' must hold a mapping of sections")
        }
        for (sectionNode, section) in mapping {
            let sectionName = sectionNode.string ?? "?"
            // A section whose every key is commented out is empty, not wrong.
            if section.null != nil, ConfigurationKeys.all.contains(where: { $0.hasPrefix(sectionName + ".") }) { continue }
            guard let members = section.mapping else {
                throw ConfigurationError(key: sectionName, problem: "must be a section with keys (in \(path))")
            }
            for (keyNode, _) in members {
                let key = "\(sectionName).\(keyNode.string ?? "?")"
                guard ConfigurationKeys.known.contains(key) else {
                    throw ConfigurationError(key: key, problem: "is not a known key (in \(path)); see config/trainqd.yaml")
                }
            }
        }
    }

    static func checkEnvironmentKeys(_ environment: [String: String]) throws {
        let known = Set(ConfigurationKeys.all.map(ConfigurationKeys.environmentName(of:)))
            .union(ConfigurationKeys.clientEnvironment).union(["TRAINQ_CONFIG"])
        for name in environment.keys where name.hasPrefix("TRAINQ_") && !known.contains(name) {
            throw ConfigurationError(key: name, problem: "is not a known trainqd environment variable")
        }
    }
}

/// Reads every value as text so that the strict parsers above see exactly what was written, whatever
/// the provider (YAML scalars, environment strings, flags).
private struct ConfigurationLookup {
    var reader: ConfigReader

    func string(_ key: String) -> String? {
        reader.string(forKey: ConfigKey(key))
    }

    /// A YAML sequence, or a comma-separated string (the environment's form).
    func list(_ key: String) -> [String]? {
        if let array = reader.stringArray(forKey: ConfigKey(key)) { return array }
        guard let text = reader.string(forKey: ConfigKey(key)) else { return nil }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
