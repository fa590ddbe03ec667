import Foundation

/// How big and how rough a chaos campaign is. The defaults are the bounded run CI makes; `scripts/chaos`
/// passes larger figures through `CHAOS_*` environment variables.
struct ChaosSettings: CustomStringConvertible {
    var submissions = 40
    var jobs = 4
    /// Clients submitting at once.
    var clients = 4
    /// How many times trainqd is killed with SIGKILL.
    var kills = 10
    var seed: UInt64 = 1
    /// Multiplies every fault probability (0 turns the faults off).
    var faultScale = 1.0
    /// How long the last daemon may take to bring every submission to an end.
    var settleSeconds = 180
    /// How much faster than real the simulator runs.
    var timeScale = 120.0
    /// Which API the submissions use: every other one is a v2 job in a `mixed` campaign.
    var api = APIMix.mixed
    /// Where the daemons keep the queue: each campaign daemon's SQLite file, or one PostgreSQL database
    /// that `daemons` daemons share (a server of the campaign's own, which it restarts once midway).
    var store = Store.sqlite
    /// How many daemons run at once (more than one needs the PostgreSQL store).
    var daemons = 1
    /// The job lease on a shared database: short, so a daemon kept down is taken over within the campaign.
    /// It must exceed 4/3 of the ModelArts connect and request timeouts (1 s and 2 s here).
    var lease = Duration.seconds(6)

    enum APIMix: String {
        case v1, v2, mixed
    }

    enum Store: String {
        case sqlite, postgres
    }

    /// Whether the `index`th submission is a v2 job.
    func isV2(_ index: Int) -> Bool {
        switch api {
        case .v1: false
        case .v2: true
        case .mixed: index % 2 == 1
        }
    }

    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ChaosSettings {
        var settings = ChaosSettings()
        func integer(_ name: String) -> Int? { environment[name].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } }
        if let value = integer("CHAOS_SUBMISSIONS") { settings.submissions = value }
        if let value = integer("CHAOS_JOBS") { settings.jobs = value }
        if let value = integer("CHAOS_CLIENTS") { settings.clients = value }
        if let value = environment["CHAOS_KILLS"].flatMap({ Int($0) }), value >= 0 { settings.kills = value }
        if let value = environment["CHAOS_SEED"].flatMap({ UInt64($0) }) {
            settings.seed = value
        } else {
            settings.seed = UInt64.random(in: 1...999_999)
        }
        if let value = environment["CHAOS_FAULT_SCALE"].flatMap({ Double($0) }), value >= 0, value.isFinite { settings.faultScale = value }
        if let value = integer("CHAOS_SETTLE_SECONDS") { settings.settleSeconds = value }
        if let value = environment["CHAOS_API"].flatMap(APIMix.init(rawValue:)) { settings.api = value }
        if let value = environment["CHAOS_STORE"].flatMap(Store.init(rawValue:)) { settings.store = value }
        if let value = integer("CHAOS_DAEMONS") { settings.daemons = value }
        return settings
    }

    /// The faults the simulator injects while trainqd is being killed: transient errors, throttling,
    /// resets, lost responses (dropped and 504), and slow creates that outlive the client's timeout and
    /// commit late, which only the reconciler's widening re-listing can see.
    var faults: String {
        func p(_ value: Double) -> String { String(format: "%.4f", min(1, value * faultScale)) }
        return """
            {"faults": [
              {"on": "create", "kind": "lost_response", "probability": \(p(0.15))},
              {"on": "create", "kind": "lost_response", "status": 504, "probability": \(p(0.05))},
              {"on": "create", "kind": "reset", "probability": \(p(0.08))},
              {"on": "create", "kind": "delay", "delay_ms": 2500, "probability": \(p(0.04))},
              {"on": "create", "kind": "error", "status": 429, "error_code": "APIGW.0308", "probability": \(p(0.08))},
              {"on": "create", "kind": "error", "status": 429, "error_code": "ModelArts.2799", "retry_after": 1, "probability": \(p(0.03))},
              {"on": "create", "kind": "error", "status": 503, "error_code": "ModelArts.4700", "probability": \(p(0.08))},
              {"on": "create", "kind": "error", "status": 500, "error_code": "ModelArts.0010", "probability": \(p(0.04))},
              {"on": "list", "kind": "error", "status": 503, "error_code": "ModelArts.4700", "probability": \(p(0.08))},
              {"on": "list", "kind": "reset", "probability": \(p(0.04))},
              {"on": "show", "kind": "error", "status": 429, "error_code": "APIGW.0308", "probability": \(p(0.05))},
              {"on": "show", "kind": "reset", "probability": \(p(0.03))},
              {"on": "job_create", "kind": "lost_response", "probability": \(p(0.15))},
              {"on": "job_create", "kind": "lost_response", "status": 504, "probability": \(p(0.05))},
              {"on": "job_create", "kind": "reset", "probability": \(p(0.08))},
              {"on": "job_create", "kind": "delay", "delay_ms": 2500, "probability": \(p(0.04))},
              {"on": "job_create", "kind": "error", "status": 429, "error_code": "APIGW.0308", "probability": \(p(0.08))},
              {"on": "job_create", "kind": "error", "status": 503, "error_code": "ModelArts.4700", "probability": \(p(0.08))},
              {"on": "job_search", "kind": "error", "status": 503, "error_code": "ModelArts.4700", "probability": \(p(0.08))},
              {"on": "job_search", "kind": "reset", "probability": \(p(0.04))},
              {"on": "job_show", "kind": "error", "status": 429, "error_code": "APIGW.0308", "probability": \(p(0.05))},
              {"on": "job_show", "kind": "reset", "probability": \(p(0.03))}
            ]}
            """
    }

    /// trainqd's configuration beyond the simulator's endpoint and keys: a retry budget large enough that
    /// transient faults never exhaust it, and re-listing waits that outlast the slow creates above.
    /// On a shared database, the `database` section comes first (`databaseSection`).
    func daemonExtra(databaseSection: String = "") -> String {
        databaseSection + """
        submit:
          max_attempts: 1000
          base_delay: 20ms
          max_delay: 400ms
          reconcile_waits: [500ms, 1s, 2s]
        track:
          min_interval: 100ms
          max_interval: 400ms
        """
    }

    /// The `database` section for a shared PostgreSQL database.
    func databaseSection(url: String, passwordFile: String) -> String {
        """
        database:
          url: \(url)
          password_file: \(passwordFile)
          lease: \(lease.components.seconds)s
          timeout: 2s

        """
    }

    var description: String {
        "submissions \(submissions) (api \(api.rawValue)), jobs \(jobs), clients \(clients), kills \(kills), seed \(seed), fault scale \(faultScale), "
            + "store \(store.rawValue), daemons \(daemons)"
    }
}
