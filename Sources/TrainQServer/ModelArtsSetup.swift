import Foundation
import Logging
import ModelArts

/// Builds the ModelArts client configuration from the daemon's configuration and its secret files.
/// Secrets are read here, handed to the signer or token provider, and never logged.
enum ModelArtsSetup {
    static let credentialsDirectoryVariable = "CREDENTIALS_DIRECTORY"

    /// The limiter all outgoing calls share, token requests included.
    static func limiter(_ configuration: DaemonConfiguration) -> OutgoingCallLimiter {
        let settings = configuration.modelArts
        return OutgoingCallLimiter(configuration: .init(rate: settings.rateLimit, burst: settings.burst, concurrency: settings.concurrency))
    }

    static func clientConfiguration(
        _ configuration: DaemonConfiguration, limiter: OutgoingCallLimiter, endpointOverride: URL? = nil,
        simulatedKeys: (String, String)? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ModelArtsClientConfiguration {
        let settings = configuration.modelArts
        guard let endpoint = endpointOverride ?? settings.endpoint.flatMap(URL.init(string:)) else {
            throw ConfigurationError(key: "modelarts.endpoint", problem: "is required")
        }
        let authentication: ModelArtsAuthentication
        if let (accessKey, secretKey) = simulatedKeys {
            authentication = .accessKey(AKSKSigner(accessKey: accessKey, secretKey: secretKey))
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
            projectID: settings.projectID ?? SimulatedDefaults.projectID,
            authentication: authentication,
            connectTimeout: settings.connectTimeout,
            requestTimeout: settings.requestTimeout,
            caFile: settings.caFile,
            proxy: try proxy(settings.proxy),
            rate: settings.rateLimit,
            burst: settings.burst,
            concurrency: settings.concurrency,
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

/// What `--simulate` uses: the seed's project, and a key pair that exists only in this process.
enum SimulatedDefaults {
    static let projectID = "0123456789abcdef0123456789abcdef"

    static func keyPair() -> (String, String) {
        let random = (0..<32).map { _ in String(UInt8.random(in: 0...15), radix: 16) }.joined()
        return ("SIMULATEDAK0000000001", "sim-" + random)
    }
}
