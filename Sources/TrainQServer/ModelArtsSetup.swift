import Foundation
import Logging
import ModelArts
import TrainQEngine

/// Builds the ModelArts client configuration from the daemon's configuration and its secret files.
/// Secrets are read here, handed to the signer or token provider, and never logged.
enum ModelArtsSetup {
    static let credentialsDirectoryVariable = "CREDENTIALS_DIRECTORY"

    /// The limiter all outgoing calls share, token requests included.
    static func limiter(_ configuration: DaemonConfiguration) -> OutgoingCallLimiter {
        let engine = configuration.engine
        return OutgoingCallLimiter(configuration: .init(rate: engine.rateLimit, burst: engine.burst, concurrency: engine.concurrency))
    }

    /// The client for `modelarts.*`, or for the embedded ModelArts when there is one (`--simulate`).
    static func clientConfiguration(
        _ configuration: DaemonConfiguration, limiter: OutgoingCallLimiter, embedded: EmbeddedModelArts.Endpoint? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ModelArtsClientConfiguration {
        let settings = configuration.modelArts
        guard let endpoint = embedded?.url ?? settings.endpoint.flatMap(URL.init(string:)) else {
            throw ConfigurationError(key: "modelarts.endpoint", problem: "is required")
        }
        guard let projectID = settings.projectID ?? embedded?.projectID else {
            throw ConfigurationError(key: "modelarts.project_id", problem: "is required")
        }
        let authentication: ModelArtsAuthentication
        if let embedded {
            authentication = .accessKey(AKSKSigner(accessKey: embedded.accessKey, secretKey: embedded.secretKey))
        } else {
            switch settings.auth {
            case .aksk:
                let accessKey = try secret(file: settings.accessKeyFile, credential: "modelarts-ak", key: "modelarts.access_key_file", environment: environment)
                let secretKey = try secret(file: settings.secretKeyFile, credential: "modelarts-sk", key: "modelarts.secret_key_file", environment: environment)
                authentication = .accessKey(AKSKSigner(accessKey: accessKey, secretKey: secretKey))
            case .token:
                let password = try secret(
                    file: settings.iamPasswordFile, credential: "modelarts-iam-password", key: "modelarts.iam_password_file",
                    environment: environment
                )
                guard let iamEndpoint = settings.iamEndpoint.flatMap(URL.init(string:)), let domain = settings.iamDomain,
                    let user = settings.iamUser, let project = settings.iamProject
                else {
                    throw ConfigurationError(key: "modelarts.iam_endpoint", problem: "token auth needs iam_endpoint, iam_domain, iam_user and iam_project")
                }
                let provider = IAMTokenProvider(
                    configuration: .init(
                        endpoint: iamEndpoint,
                        credentials: IAMPasswordCredentials(domain: domain, user: user, password: password, project: .name(project)),
                        connectTimeout: settings.connectTimeout, requestTimeout: settings.requestTimeout,
                        caFile: settings.caFile, proxy: try proxy(settings.proxy)
                    ),
                    limiter: limiter
                )
                authentication = .token(provider)
            }
        }
        return ModelArtsClientConfiguration(
            endpoint: endpoint,
            projectID: projectID,
            authentication: authentication,
            connectTimeout: settings.connectTimeout,
            requestTimeout: settings.requestTimeout,
            caFile: settings.caFile,
            proxy: try proxy(settings.proxy),
            rate: configuration.engine.rateLimit,
            burst: configuration.engine.burst,
            concurrency: configuration.engine.concurrency,
            userAgent: "trainq/\(TrainQVersion.current)"
        )
    }

    /// A secret from the configured file, or else from the systemd credential of that name.
    static func secret(file: String?, credential: String, key: String, environment: [String: String]) throws -> String {
        let path: String
        if let file {
            path = file
        } else if let directory = environment[credentialsDirectoryVariable] {
            path = directory + "/" + credential
        } else {
            throw ConfigurationError(key: key, problem: "is not set and there is no systemd credential '\(credential)' ($\(credentialsDirectoryVariable) is unset)")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(key: key, problem: "cannot read the secret file \(path)")
        }
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { throw ConfigurationError(key: key, problem: "the secret file \(path) is empty") }
        return value
    }

    static func proxy(_ text: String?) throws -> ModelArtsClientConfiguration.Proxy? {
        guard let text else { return nil }
        guard let url = URL(string: text), let host = url.host else {
            throw ConfigurationError(key: "modelarts.proxy", problem: "'\(text)' is not a proxy URL")
        }
        return .init(host: host, port: url.port ?? (url.scheme == "https" ? 443 : 80))
    }
}
