import Foundation

/// Every configuration key `trainqd` understands, in one list. The YAML file and `TRAINQ_*` variables are
/// checked against it so that a misspelt key stops the daemon instead of being silently ignored.
enum ConfigurationKeys {
    static let all: [String] = [
        "socket.path", "socket.mode", "socket.group", "socket.max_body_bytes", "socket.idle_timeout",
        "database.path", "database.url", "database.password_file", "database.lease", "database.timeout",
        "instance.name",
        "access.admin_users", "access.admin_groups", "access.allowed_users", "access.allowed_groups",
        "modelarts.endpoint", "modelarts.project_id", "modelarts.auth",
        "modelarts.access_key_file", "modelarts.secret_key_file",
        "modelarts.iam_endpoint", "modelarts.iam_domain", "modelarts.iam_user", "modelarts.iam_password_file",
        "modelarts.iam_project",
        "modelarts.ca_file", "modelarts.proxy", "modelarts.connect_timeout", "modelarts.request_timeout",
        "modelarts.rate_limit", "modelarts.burst", "modelarts.concurrency",
        "submit.max_attempts", "submit.max_age", "submit.base_delay", "submit.max_delay",
        "submit.slow_base_delay", "submit.slow_max_delay", "submit.desc_marker", "submit.drain_timeout",
        "submit.reconcile_waits",
        "track.min_interval", "track.max_interval", "track.max_queued_interval",
        "retention.terminal",
        "log.level",
        "simulate.enabled", "simulate.time_scale",
    ]

    static let known = Set(all)

    /// `TRAINQ_MODELARTS_RATE_LIMIT` for `modelarts.rate_limit`.
    static func environmentName(of key: String) -> String {
        "TRAINQ_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// Variables that start with `TRAINQ_` but belong to the command-line client, not the daemon.
    static let clientEnvironment: Set<String> = ["TRAINQ_SOCKET"]
}
