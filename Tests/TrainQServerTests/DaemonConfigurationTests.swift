import Foundation
import Testing
import TrainQEngine
@testable import TrainQServer

@Suite struct DaemonConfigurationTests {
    let minimal = """
        modelarts:
          endpoint: https://modelarts.cn-north-4.myhuaweicloud.com
          project_id: 0123456789abcdef0123456789abcdef
        """

    @Test func defaultsApplyWhereTheFileIsSilent() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("trainqd.yaml", minimal)
        let configuration = try await DaemonConfiguration.load(overrides: .init(configFile: file), environment: [:])
        #expect(configuration.socket.path == "/run/trainq/trainq.sock")
        #expect(configuration.socket.mode == 0o660)
        #expect(configuration.engine.rateLimit == 10)
        #expect(configuration.engine.retry.maxAttempts == 10)
        #expect(configuration.engine.retry.maxAge == .seconds(86400))
        #expect(configuration.track.maxInterval == .seconds(120))
        #expect(configuration.access.allowedGroups == ["trainq"])
    }

    @Test func theExampleFileDocumentsEveryKeyWithTheDefaultOfTheCode() async throws {
        // config/trainqd.yaml shows every key with its default; keys without one are commented out.
        let example = try String(contentsOfFile: Self.repositoryFile("config/trainqd.yaml"), encoding: .utf8)
        let documented = Self.documentedKeys(example)
        #expect(documented.active.union(documented.commented) == ConfigurationKeys.known)
        #expect(documented.active.isDisjoint(with: documented.commented))

        // The values shown must be the code's defaults: loaded, the file changes nothing but the two
        // required keys given here.
        let directory = try TemporaryDirectory()
        let file = try directory.write("trainqd.yaml", example + "\n")
        var loaded = try await DaemonConfiguration.load(
            overrides: .init(configFile: file),
            environment: [
                "TRAINQ_MODELARTS_ENDPOINT": "https://modelarts.example.com", "TRAINQ_MODELARTS_PROJECT_ID": SocketAPIFixture.projectID,
            ]
        )
        loaded.modelArts.endpoint = nil
        loaded.modelArts.projectID = nil
        #expect(Self.differences(loaded, DaemonConfiguration()) == [])
    }

    @Test(arguments: [
        ("submit:\n  base_delay: 10s\n  max_delay: 5s\n", "submit.max_delay", "must be at least submit.base_delay"),
        ("submit:\n  slow_base_delay: 2h\n", "submit.slow_max_delay", "must be at least submit.slow_base_delay"),
        ("submit:\n  max_age: 0s\n", "submit.max_age", "must be positive"),
        ("submit:\n  reconcile_waits: []\n", "submit.reconcile_waits", "needs at least one wait"),
        ("track:\n  min_interval: 5m\n", "track.max_interval", "must be at least track.min_interval"),
        ("track:\n  min_interval: 0s\n", "track.min_interval", "must be above zero"),
        ("retention:\n  terminal: 10m\n", "retention.terminal", "must be at least 1h, or 0s to keep everything"),
        ("submit:\n  base_delay: 1e20s\n", "submit.base_delay", "'1e20s' is longer than a hundred years"),
    ])
    func anInvalidCombinationStopsTheDaemonNamingTheKeys(yaml: String, key: String, problem: String) async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("trainqd.yaml", minimal + "\n" + yaml)
        await #expect(throws: ConfigurationError(key: key, problem: problem)) {
            try await DaemonConfiguration.load(overrides: .init(configFile: file), environment: [:])
        }
    }

    @Test func everyInvalidCombinationIsNamed() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("trainqd.yaml", minimal + "\nsubmit:\n  max_delay: 500ms\ntrack:\n  max_interval: 1s\n")
        await #expect(
            throws: ConfigurationError(
                key: "submit.max_delay",
                problem: "must be at least submit.base_delay; also track.max_interval: must be at least track.min_interval"
            )
        ) {
            try await DaemonConfiguration.load(overrides: .init(configFile: file), environment: [:])
        }
    }

    @Test func aMisspeltKeyStopsTheDaemonNamingIt() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("trainqd.yaml", minimal + "\nsubmit:\n  max_attempt: 3\n")
        await #expect(throws: ConfigurationError(key: "submit.max_attempt", problem: "is not a known key (in \(file)); see config/trainqd.yaml")) {
            try await DaemonConfiguration.load(overrides: .init(configFile: file), environment: [:])
        }
    }

    @Test func aBadValueStopsTheDaemonNamingTheKey() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("trainqd.yaml", minimal + "\nsubmit:\n  base_delay: soon\n")
        do {
            _ = try await DaemonConfiguration.load(overrides: .init(configFile: file), environment: [:])
            Issue.record("a bad duration was accepted")
        } catch let error as ConfigurationError {
            #expect(error.key == "submit.base_delay")
        }
    }

    @Test func reconcileWaitsComeFromAListInTheFileOrTheEnvironment() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("trainqd.yaml", minimal + "\nsubmit:\n  reconcile_waits: [100ms, 1s]\n")
        let fromFile = try await DaemonConfiguration.load(overrides: .init(configFile: file), environment: [:])
        #expect(fromFile.engine.reconcile.relistSchedule.waits == [.milliseconds(100), .seconds(1)])
        let fromEnvironment = try await DaemonConfiguration.load(
            overrides: .init(configFile: file), environment: ["TRAINQ_SUBMIT_RECONCILE_WAITS": "50ms, 2s, 3s"]
        )
        #expect(fromEnvironment.engine.reconcile.relistSchedule.waits == [.milliseconds(50), .seconds(2), .seconds(3)])
        let bad = try directory.write("bad.yaml", minimal + "\nsubmit:\n  reconcile_waits: [1s, later]\n")
        do {
            _ = try await DaemonConfiguration.load(overrides: .init(configFile: bad), environment: [:])
            Issue.record("a bad wait was accepted")
        } catch let error as ConfigurationError {
            #expect(error.key == "submit.reconcile_waits")
        }
    }

    @Test func environmentOverridesTheFileAndFlagsOverrideBoth() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("trainqd.yaml", minimal + "\nsocket:\n  path: /from/file.sock\ndatabase:\n  path: /from/file.db\n")
        let configuration = try await DaemonConfiguration.load(
            overrides: .init(configFile: file, databasePath: "/from/flag.db"),
            environment: ["TRAINQ_SOCKET_PATH": "/from/env.sock", "TRAINQ_DATABASE_PATH": "/from/env.db", "TRAINQ_MODELARTS_RATE_LIMIT": "2.5"]
        )
        #expect(configuration.socket.path == "/from/env.sock")
        #expect(configuration.databasePath == "/from/flag.db")
        #expect(configuration.engine.rateLimit == 2.5)
    }

    @Test func anUnknownEnvironmentVariableIsRefused() async throws {
        await #expect(throws: ConfigurationError.self) {
            try await DaemonConfiguration.load(overrides: .init(simulate: true), environment: ["TRAINQ_SUBMIT_MAXATTEMPTS": "3"])
        }
        // The client's own variable is not the daemon's business.
        _ = try await DaemonConfiguration.load(overrides: .init(simulate: true), environment: ["TRAINQ_SOCKET": "/x.sock"])
    }

    @Test func theRemoteEndpointIsRequiredUnlessSimulating() async throws {
        do {
            _ = try await DaemonConfiguration.load(overrides: .init(configFile: nil), environment: [:])
            Issue.record("a daemon without an endpoint was configured")
        } catch let error as ConfigurationError {
            #expect(error.key == "modelarts.endpoint")
        }
    }

    @Test func anExplicitConfigFileMustExist() async throws {
        await #expect(throws: ConfigurationError.self) {
            try await DaemonConfiguration.load(overrides: .init(configFile: "/nonexistent/trainqd.yaml", simulate: true), environment: [:])
        }
    }

    @Test func valueParsers() throws {
        #expect(try ConfigurationValueParsing.duration("500ms", key: "k") == .milliseconds(500))
        #expect(try ConfigurationValueParsing.duration("2h", key: "k") == .seconds(7200))
        #expect(try ConfigurationValueParsing.fileMode("0660", key: "k") == 0o660)
        #expect(try ConfigurationValueParsing.fileMode("660", key: "k") == 0o660)
        #expect(throws: ConfigurationError.self) { try ConfigurationValueParsing.fileMode("0999", key: "k") }
        #expect(throws: ConfigurationError.self) { try ConfigurationValueParsing.duration("-1s", key: "k") }
        #expect(throws: ConfigurationError.self) { try ConfigurationValueParsing.bool("maybe", key: "k") }
    }

    /// The keys of a file laid out like config/trainqd.yaml: `section:` at the start of a line, then
    /// `  key: value` (set) or `  # key:` (documented, left out).
    static func documentedKeys(_ text: String) -> (active: Set<String>, commented: Set<String>) {
        var section = ""
        var active: Set<String> = []
        var commented: Set<String> = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let match = line.wholeMatch(of: /([a-z_]+):/) {
                section = String(match.1)
            } else if let match = line.prefixMatch(of: /\ \ ([a-z_]+):/) {
                active.insert("\(section).\(match.1)")
            } else if let match = line.prefixMatch(of: /\ \ # ([a-z_]+):( |$)/) {
                commented.insert("\(section).\(match.1)")
            }
        }
        return (active, commented)
    }

    /// The stored properties, by path, whose values differ (`engine.retry.maxDelay: 300.0 seconds ≠ …`).
    /// The configuration holds engine types that are not `Equatable`, so the values are compared as text.
    static func differences(_ left: Any, _ right: Any, path: String = "") -> [String] {
        let leftMirror = Mirror(reflecting: left)
        let rightMirror = Mirror(reflecting: right)
        guard leftMirror.displayStyle == .struct, !leftMirror.children.isEmpty, !(left is Duration) else {
            let (leftText, rightText) = (String(reflecting: left), String(reflecting: right))
            return leftText == rightText ? [] : ["\(path): \(leftText) ≠ \(rightText)"]
        }
        return zip(leftMirror.children, rightMirror.children).flatMap { leftChild, rightChild in
            let name = (path.isEmpty ? "" : path + ".") + (leftChild.label ?? "?")
            return differences(leftChild.value, rightChild.value, path: name)
        }
    }

    static func repositoryFile(_ relative: String) -> String {
        // Tests/TrainQServerTests/<this file> → repository root.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(relative).path
    }
}
