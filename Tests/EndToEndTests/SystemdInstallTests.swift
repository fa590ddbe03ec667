import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `scripts/install.sh`, staged below a temporary `DESTDIR` (nothing is left on this machine), with the
/// debug binaries instead of a release build.
@Suite(.serialized) struct SystemdInstallTests {
    static var repository: String {
        var url = BuiltProducts.directory
        while url.pathComponents.count > 1 {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("scripts/install.sh").path) { return url.path }
            url.deleteLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath
    }

    static func install(_ arguments: [String], destination: TestDirectory, in directory: TestDirectory) async throws -> ChildProcess {
        let child = try ChildProcess(
            // --no-man: the man pages need `swift package`, which would wait for this `swift test` to end.
            "/bin/bash", [repository + "/scripts/install.sh", "--bin-dir", BuiltProducts.directory.path, "--no-man"] + arguments,
            environment: ["DESTDIR": destination.path], directory: directory, name: "install"
        )
        await child.wait(timeout: .seconds(120))
        return child
    }

    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    @Test func aDryRunPrintsEveryStepAndChangesNothing() async throws {
        let directory = try TestDirectory()
        let destination = try TestDirectory()
        let child = try await Self.install(["--dry-run"], destination: destination, in: directory)
        #expect(child.terminationStatus == 0, "\(child.stderr)")
        #expect(child.stdout.contains("+ install -m 0755 \(BuiltProducts.directory.path)/trainqd \(destination.path)/usr/local/bin/trainqd"), "\(child.stdout)")
        #expect(child.stdout.contains("systemd-sysusers --root=\(destination.path)"))
        #expect(child.stdout.contains("dry run, nothing was changed"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: destination.path).isEmpty)
    }

    @Test func unknownArgumentsAreRefused() async throws {
        let directory = try TestDirectory()
        let destination = try TestDirectory()
        let child = try await Self.install(["--frobnicate"], destination: destination, in: directory)
        #expect(child.terminationStatus == 2)
        #expect(child.stderr.contains("unknown argument '--frobnicate'"))
    }

    @Test(.enabled(if: getuid() == 0, "the staged install creates root-owned directories and needs root"))
    func aStagedInstallHasBinariesUnitsUserAndConfiguration() async throws {
        let directory = try TestDirectory()
        let destination = try TestDirectory()
        let root = destination.path
        let child = try await Self.install([], destination: destination, in: directory)
        #expect(child.terminationStatus == 0, "\(child.stdout)\n\(child.stderr)")

        for binary in ["trainqd", "trainq", "modelarts-sim"] {
            #expect(Self.mode("\(root)/usr/local/bin/\(binary)") == 0o755, "\(binary)")
        }
        let service = try String(contentsOfFile: "\(root)/etc/systemd/system/trainqd.service", encoding: .utf8)
        #expect(service.contains("ExecStart=/usr/local/bin/trainqd --config /etc/trainq/trainqd.yaml"))
        #expect(Self.mode("\(root)/etc/systemd/system/trainqd.socket") == 0o644)
        #expect(Self.mode("\(root)/etc/trainq/trainqd.yaml") == 0o644)
        #expect(Self.mode("\(root)/etc/trainq/credentials") == 0o700)
        #expect(Self.mode("\(root)/usr/local/share/doc/trainq/README.md") == 0o644)
        for completion in ["bash-completion/completions/trainq", "zsh/site-functions/_trainq", "fish/vendor_completions.d/trainq.fish"] {
            #expect(Self.mode("\(root)/usr/local/share/\(completion)") == 0o644, "\(completion)")
        }
        let bash = try String(contentsOfFile: "\(root)/usr/local/share/bash-completion/completions/trainq", encoding: .utf8)
        #expect(bash.contains("_trainq"), "\(bash.prefix(200))")
        let passwd = try String(contentsOfFile: "\(root)/etc/passwd", encoding: .utf8)
        #expect(passwd.contains("trainq:x:"), "\(passwd)")
        let group = try String(contentsOfFile: "\(root)/etc/group", encoding: .utf8)
        #expect(group.contains("trainq:x:"), "\(group)")

        // The installed binary runs and checks the installed example configuration... which needs an endpoint.
        let check = try ChildProcess(
            "\(root)/usr/local/bin/trainqd", ["--config", "\(root)/etc/trainq/trainqd.yaml", "--check-config"],
            directory: directory, name: "check"
        )
        #expect(await check.wait() == 78)
        #expect(check.stderr.contains("modelarts.endpoint"), "\(check.stderr)")

        // A second install keeps the configuration an administrator may have changed.
        try "# changed\n".write(toFile: "\(root)/etc/trainq/trainqd.yaml", atomically: true, encoding: .utf8)
        let again = try await Self.install([], destination: destination, in: directory)
        #expect(again.terminationStatus == 0, "\(again.stderr)")
        #expect(try String(contentsOfFile: "\(root)/etc/trainq/trainqd.yaml", encoding: .utf8) == "# changed\n")
        #expect(FileManager.default.fileExists(atPath: "\(root)/etc/trainq/trainqd.yaml.example"))
        #expect(passwdCount(try String(contentsOfFile: "\(root)/etc/passwd", encoding: .utf8)) == 1)
    }

    private func passwdCount(_ text: String) -> Int {
        text.split(separator: "\n").filter { $0.hasPrefix("trainq:") }.count
    }
}
