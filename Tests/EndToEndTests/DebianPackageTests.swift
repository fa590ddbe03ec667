import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The Debian package of `scripts/package-deb`, installed, removed and purged with dpkg on this machine.
/// It changes the machine (a system user, /etc/trainq, /usr), so it runs only where `TRAINQ_DEB` names the
/// package, as CI does, and needs root.
@Suite(
    .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["TRAINQ_DEB"] != nil,
        "set TRAINQ_DEB to a trainq .deb (scripts/package-deb) to install and purge it here, as root"
    )
)
struct DebianPackageTests {
    /// What the package installs, and the mode each must have.
    static let packagedFiles: [(path: String, mode: mode_t)] = [
        ("/usr/bin/trainq", 0o755),
        ("/usr/sbin/trainqd", 0o755),
        ("/usr/lib/systemd/system/trainqd.service", 0o644),
        ("/usr/lib/systemd/system/trainqd.socket", 0o644),
        ("/usr/lib/sysusers.d/trainq.conf", 0o644),
        ("/usr/lib/tmpfiles.d/trainq.conf", 0o644),
        ("/usr/share/man/man1/trainq.1.gz", 0o644),
        ("/usr/share/man/man8/trainqd.8.gz", 0o644),
        ("/usr/share/bash-completion/completions/trainq", 0o644),
        ("/usr/share/zsh/vendor-completions/_trainq", 0o644),
        ("/usr/share/fish/vendor_completions.d/trainq.fish", 0o644),
        ("/usr/share/doc/trainq/copyright", 0o644),
        ("/usr/share/doc/trainq/changelog.Debian.gz", 0o644),
    ]
    static let conffile = "/etc/trainq/trainqd.yaml"
    static let stateDirectory = "/var/lib/trainq"

    /// dpkg wants ldconfig on PATH and the maintainer scripts run systemd-sysusers and userdel: the sbin
    /// directories are put on PATH whatever the test runner's PATH is.
    static let pathSetting = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// dpkg or dpkg-query; unpacking runs the man-db trigger, which can take a while on a slow disk.
    static func dpkg(_ tool: String, _ arguments: [String]) async throws -> LabCommand.Result {
        try await LabCommand.run("/usr/bin/env", [pathSetting, tool] + arguments, timeout: .seconds(300))
    }

    static func owner(_ path: String) -> uid_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_uid
    }

    static func accounts() throws -> String {
        try String(contentsOfFile: "/etc/passwd", encoding: .utf8) + "\n" + String(contentsOfFile: "/etc/group", encoding: .utf8)
    }

    @Test func installRemoveAndPurgeLeaveTheMachineAsItWas() async throws {
        try #require(getuid() == 0, "dpkg -i and dpkg --purge need root")
        let debPath = try #require(ProcessInfo.processInfo.environment["TRAINQ_DEB"])
        try #require(FileManager.default.fileExists(atPath: debPath), "TRAINQ_DEB=\(debPath) does not exist")
        // The purge deletes the user trainq and /etc/trainq: never on a machine that had them already.
        let installed = try await Self.dpkg("dpkg-query", ["-s", "trainq"])
        try #require(installed.code != 0, "the package trainq is installed already")
        try #require(getpwnam("trainq") == nil, "a user trainq exists already (scripts/install.sh?)")
        try #require(!FileManager.default.fileExists(atPath: "/etc/trainq"), "/etc/trainq exists already")
        let accountsBefore = try Self.accounts()
        // Whatever fails below, the machine does not keep the package.
        defer { _ = LabCommand.runBlocking("/usr/bin/env", [Self.pathSetting, "dpkg", "--purge", "trainq"], timeout: .seconds(300)) }

        let install = try await Self.dpkg("dpkg", ["-i", debPath])
        try #require(install.code == 0, "dpkg -i: \(install.stdout)\n\(install.stderr)")

        for (path, mode) in Self.packagedFiles {
            #expect(SystemdInstallTests.mode(path) == mode, "\(path)")
            #expect(Self.owner(path) == 0, "\(path) is not root's")
        }
        let service = try String(contentsOfFile: "/usr/lib/systemd/system/trainqd.service", encoding: .utf8)
        #expect(service.contains("ExecStart=/usr/sbin/trainqd --config /etc/trainq/trainqd.yaml"), "\(service)")
        #expect(!service.contains("/usr/local/"))
        let bashCompletion = try String(contentsOfFile: "/usr/share/bash-completion/completions/trainq", encoding: .utf8)
        #expect(bashCompletion.contains("complete -o filenames -F _trainq trainq"))
        let zshCompletion = try String(contentsOfFile: "/usr/share/zsh/vendor-completions/_trainq", encoding: .utf8)
        #expect(zshCompletion.hasPrefix("#compdef trainq"))
        let fishCompletion = try String(contentsOfFile: "/usr/share/fish/vendor_completions.d/trainq.fish", encoding: .utf8)
        #expect(fishCompletion.contains("complete -c 'trainq'"))
        for page in ["/usr/share/man/man1/trainq.1.gz", "/usr/share/man/man8/trainqd.8.gz"] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: page))
            #expect(bytes.starts(with: [0x1F, 0x8B]), "\(page) is not gzip")
        }

        #expect(SystemdInstallTests.mode(Self.conffile) == 0o644)
        let conffiles = try await Self.dpkg("dpkg-query", ["-W", "-f=${Conffiles}\n", "trainq"])
        #expect(conffiles.code == 0)
        #expect(conffiles.stdout.contains(" \(Self.conffile) "), "\(conffiles.stdout)")
        // systemd-tmpfiles made the credentials directory for root alone.
        #expect(SystemdInstallTests.mode("/etc/trainq/credentials") == 0o700)

        // systemd-sysusers made the system user and its group.
        let user = try #require(getpwnam("trainq"), "postinst made no user trainq")
        let userID = user.pointee.pw_uid
        let groupID = user.pointee.pw_gid
        #expect(userID > 0 && userID < 1000, "uid \(userID) is not a system uid")
        #expect(String(cString: user.pointee.pw_dir) == Self.stateDirectory)
        #expect(getgrnam("trainq")?.pointee.gr_gid == groupID)

        // The installed programs run: the client, and the daemon on the installed configuration (which
        // lacks an endpoint until someone sets one: exit 78, naming the key).
        let help = try await LabCommand.run("/usr/bin/trainq", ["--help"])
        #expect(help.code == 0, "\(help.stderr)")
        #expect(help.stdout.contains("USAGE: trainq"), "\(help.stdout)")
        let check = try await LabCommand.run("/usr/sbin/trainqd", ["--config", Self.conffile, "--check-config"])
        #expect(check.code == 78, "\(check.stdout)\n\(check.stderr)")
        #expect(check.stderr.contains("modelarts.endpoint"), "\(check.stderr)")

        // What trainqd.service and an administrator add later: the database (StateDirectory=) and a key.
        try FileManager.default.createDirectory(atPath: Self.stateDirectory, withIntermediateDirectories: true)
        try "not a database\n".write(toFile: Self.stateDirectory + "/trainq.db", atomically: true, encoding: .utf8)
        #expect(chown(Self.stateDirectory, userID, groupID) == 0)
        try "AK\n".write(toFile: "/etc/trainq/credentials/modelarts-ak", atomically: true, encoding: .utf8)

        // Remove: the programs go, the configuration, the database and the user stay.
        let remove = try await Self.dpkg("dpkg", ["--remove", "trainq"])
        try #require(remove.code == 0, "dpkg --remove: \(remove.stdout)\n\(remove.stderr)")
        for (path, _) in Self.packagedFiles {
            #expect(!FileManager.default.fileExists(atPath: path), "\(path) is left after dpkg --remove")
        }
        #expect(FileManager.default.fileExists(atPath: Self.conffile))
        #expect(FileManager.default.fileExists(atPath: Self.stateDirectory + "/trainq.db"))
        #expect(getpwnam("trainq") != nil)
        let state = try await Self.dpkg("dpkg-query", ["-W", "-f=${db:Status-Status}", "trainq"])
        #expect(state.stdout == "config-files", "\(state.stdout)\n\(state.stderr)")

        // Purge: nothing of trainq is left, and the user database is as it was.
        let purge = try await Self.dpkg("dpkg", ["--purge", "trainq"])
        try #require(purge.code == 0, "dpkg --purge: \(purge.stdout)\n\(purge.stderr)")
        for path in [Self.conffile, "/etc/trainq", Self.stateDirectory, "/run/trainq"] {
            #expect(!FileManager.default.fileExists(atPath: path), "\(path) is left after dpkg --purge")
        }
        #expect(getpwnam("trainq") == nil, "the user trainq is left after dpkg --purge")
        #expect(getgrnam("trainq") == nil, "the group trainq is left after dpkg --purge")
        let gone = try await Self.dpkg("dpkg-query", ["-s", "trainq"])
        #expect(gone.code != 0, "dpkg still knows trainq: \(gone.stdout)")
        #expect(try Self.accounts() == accountsBefore)
        // The maintainer scripts are quiet: no "Creating user", no "Created symlink", no complaint of theirs.
        for result in [install, remove, purge] {
            let output = result.stdout + result.stderr
            for noise in ["Creating ", "Created symlink", "trainq: "] {
                #expect(!output.contains(noise), "\(output)")
            }
        }
    }
}
