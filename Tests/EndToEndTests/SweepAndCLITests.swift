import Foundation
import JSONTree
import Testing
import TrainQAPI

#if canImport(Glibc)
import Glibc
#endif

/// The command line as ML engineers use it: a sweep in one request, completion, wide tables, and colour
/// only where a person looks.
@Suite(.serialized) struct SweepAndCLITests {
    @Test func aThreeByTwoSweepMakesSixSubmissionsInOneBatchAndSixVersions() async throws {
        let directory = try TestDirectory()
        let simulator = try await SimulatorProcess(directory: directory)
        defer { simulator.child.signal(SIGKILL) }
        let config = try simulator.daemonConfiguration(in: directory)
        let daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config])
        let request = try SeedRequest.write(in: directory)
        let sweep = [
            "submit", request, "--job-id", "10", "--socket", daemon.socketPath,
            "--set", "config.parameter.learning_rate=0.01,0.1,0.5", "--set", "config.worker_server_num=1,2",
        ]

        // --dry-run sends nothing and prints the six requests.
        let dry = try await CLI.run(sweep + ["--dry-run"])
        #expect(dry.code == 0, "\(dry.stderr)")
        let printed = try dry.stdout.split(separator: "\n").map { try JSONValue.parse(Array($0.utf8)) }
        #expect(printed.count == 6)
        #expect(Set(printed.map { $0.canonicalData() }).count == 6)

        let submitted = try await CLI.run(sweep + ["--json", "--wait"])
        #expect(submitted.code == 0, "\(submitted.stdout)\(submitted.stderr)")
        let listed = try await CLI.run(["list", "--json", "--socket", daemon.socketPath])
        let submissions = try APICoding.decoder().decode(SubmissionList.self, from: Data(listed.stdout.utf8)).submissions
        #expect(submissions.count == 6)
        #expect(submissions.allSatisfy { $0.state == .succeeded })

        // Six versions, one per combination, each started from the version the user named.
        let versions = try await simulator.ledger()["versions"]?.arrayValue ?? []
        #expect(versions.count == 6)
        #expect(versions.allSatisfy { $0["pre_version_id"]?.int64Value == 20 })
        #expect(Set(submissions.compactMap(\.versionID)) == Set(versions.compactMap { $0["version_id"]?.int64Value }))
        let combinations = Set(submissions.map { submission in
            let config = submission.request["config"]
            let rate = config?["parameter"]?.arrayValue?.first { $0["label"]?.stringValue == "learning_rate" }?["value"]?.stringValue ?? "?"
            return "\(rate)/\(config?["worker_server_num"]?.int64Value ?? -1)"
        })
        #expect(combinations == ["0.01/1", "0.01/2", "0.1/1", "0.1/2", "0.5/1", "0.5/2"])

        // The wide table has the extra columns; a pipe gets no colour codes.
        let wide = try await CLI.run(["list", "-o", "wide", "--socket", daemon.socketPath])
        #expect(wide.stdout.hasPrefix("ID "), "\(wide.stdout)")
        #expect(wide.stdout.contains("ATTEMPTS") && wide.stdout.contains("NEXT TRY"))
        #expect(!wide.stdout.contains("\u{1B}["))
        let shown = try await CLI.run(["show", submissions[0].id, "-o", "wide", "--socket", daemon.socketPath])
        #expect(shown.stdout.contains("request:") && shown.stdout.contains("\"learning_rate\""), "\(shown.stdout)")
        #expect(await daemon.stop() == 0)
    }

    @Test func colourOnlyOnATerminalAndNeverWithNoColor() async throws {
        let script = try #require(["/usr/bin/script", "/bin/script"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                  "util-linux script(1) gives the CLI a terminal")
        let directory = try TestDirectory()
        let daemon = try await DaemonProcess(directory: directory)
        let request = try SeedRequest.write(in: directory)
        let trainq = BuiltProducts.path("trainq")
        #expect(try await CLI.run(["submit", request, "--job-id", "10", "--wait", "--socket", daemon.socketPath]).code == 0)
        let command = "\(trainq) list --socket \(daemon.socketPath)"

        func onTerminal(_ environment: [String: String]) async throws -> String {
            let child = try ChildProcess(script, ["-qec", command, "/dev/null"], environment: environment, directory: directory, name: "script")
            #expect(await child.wait(timeout: .seconds(30)) == 0)
            return child.stdout
        }
        // An empty NO_COLOR counts as unset (no-color.org), whatever the test runner's own environment holds.
        let coloured = try await onTerminal(["TERM": "xterm", "NO_COLOR": ""])
        #expect(coloured.contains("\u{1B}[32msucceeded\u{1B}[0m"), "\(coloured)")
        let plain = try await onTerminal(["TERM": "xterm", "NO_COLOR": "1"])
        #expect(plain.contains("succeeded") && !plain.contains("\u{1B}["), "\(plain)")
        #expect(await daemon.stop() == 0)
    }

    @Test func completionScriptsForEveryShell() async throws {
        for (shell, marker) in [("bash", "-F _trainq trainq"), ("zsh", "#compdef trainq"), ("fish", "complete -c 'trainq'")] {
            let result = try await CLI.run(["completion", shell])
            #expect(result.code == 0, "\(result.stderr)")
            #expect(result.stdout.contains(marker), "\(shell): \(result.stdout.prefix(200))")
            #expect(result.stdout.contains("submit"))
        }
        let unknown = try await CLI.run(["completion", "tcsh"])
        #expect(unknown.code == 64 || unknown.code == 2, "\(unknown.code) \(unknown.stderr)")
    }
}
