import Foundation
import Testing
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
        #expect(configuration.modelArts.rateLimit == 10)
        #expect(configuration.submit.maxAttempts == 10)
        #expect(configuration.submit.maxAge == .seconds(86400))
        #expect(configuration.track.maxInterval == .seconds(120))
        #expect(configuration.access.allowedGroups == ["trainq"])
    }

    @Test func theExampleFileIsValidAndComplete() async throws {
        // config/trainqd.yaml documents every key; with the two required ones set it must load.
        let example = try String(contentsOfFile: Self.repositoryFile("config/trainqd.yaml"), encoding: .utf8)
        let directory = try TemporaryDirectory()
        let file = try directory.write("trainqd.yaml", example + "\n")
        let configuration = try await DaemonConfiguration.load(
            overrides: .init(configFile: file, simulate: true), environment: [:]
        )
        #expect(configuration.simulate)
        for key in ConfigurationKeys.all {
            let section = String(key.split(separator: ".")[0])
            let name = String(key.split(separator: ".")[1])
            #expect(example.contains("\(section):") && example.contains("\(name):"), "config/trainqd.yaml does not document \(key)")
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
        #expect(fromFile.submit.reconcileWaits == [.milliseconds(100), .seconds(1)])
        let fromEnvironment = try await DaemonConfiguration.load(
            overrides: .init(configFile: file), environment: ["TRAINQ_SUBMIT_RECONCILE_WAITS": "50ms, 2s, 3s"]
        )
        #expect(fromEnvironment.submit.reconcileWaits == [.milliseconds(50), .seconds(2), .seconds(3)])
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
        #expect(configuration.modelArts.rateLimit == 2.5)
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

    static func repositoryFile(_ relative: String) -> String {
        // Tests/TrainQServerTests/<this file> → repository root.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(relative).path
    }
}
