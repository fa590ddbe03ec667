import Foundation
import Testing
import TrainQAPI

#if canImport(Glibc)
import Glibc
#endif

/// Authorization by peer credentials with real, different uids: the CLI runs under `setpriv` as other
/// users against a real `trainqd`. Numeric uids without a passwd entry are named by their number, which
/// `access.allowed_users` can list. Needs root (to change uid); skipped otherwise.
@Suite(.serialized, .enabled(if: getuid() == 0, "authorization tests change uid with setpriv and need root"))
struct SystemdAuthorizationTests {
    static let alice: UInt32 = 42_421
    static let bob: UInt32 = 42_422
    static let mallory: UInt32 = 42_423
    static let admin: UInt32 = 42_424
    static let groupMember: UInt32 = 42_425

    /// A group from the user database, to test membership by primary group ("users" on Debian).
    static let primaryGroup: (name: String, gid: UInt32)? = {
        guard let entry = getgrnam("users") else { return nil }
        return ("users", entry.pointee.gr_gid)
    }()

    /// A user listed as a supplementary member of a group other than their primary one, if the
    /// machine has one: membership through supplementary groups comes from the user database.
    static let supplementaryMember: (user: String, uid: UInt32, gid: UInt32, group: String)? = {
        guard let text = try? String(contentsOfFile: "/etc/group", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count == 4, !fields[3].isEmpty, let groupID = UInt32(fields[2]) else { continue }
            for member in fields[3].split(separator: ",") {
                guard let user = getpwnam(String(member)), user.pointee.pw_gid != groupID, user.pointee.pw_uid != 0 else { continue }
                return (String(member), user.pointee.pw_uid, user.pointee.pw_gid, String(fields[0]))
            }
        }
        return nil
    }()

    /// A daemon whose socket anyone may connect to, so that only the access policy decides.
    static func startDaemon(in directory: TestDirectory) async throws -> DaemonProcess {
        var groups: [String] = []
        if let primaryGroup { groups.append(primaryGroup.name) }
        if let supplementaryMember { groups.append(supplementaryMember.group) }
        let config = directory.file("trainqd.yaml")
        try """
            socket:
              mode: "0666"
              group: ""
            access:
              admin_users: ["\(admin)"]
              allowed_users: ["\(alice)", "\(bob)"]
              allowed_groups: [\(groups.map { "\"\($0)\"" }.joined(separator: ", "))]
            simulate:
              time_scale: 1
            """.write(toFile: config, atomically: true, encoding: .utf8)
        // The test directory must be enterable by the other uids.
        chmod(directory.path, 0o755)
        return try await DaemonProcess(directory: directory, extraArguments: ["--simulate", "--config", config])
    }

    /// Runs the CLI as `uid` with primary group `gid` and no supplementary groups (or the user's own).
    static func cli(
        as uid: UInt32, gid: UInt32? = nil, initGroups: Bool = false, groups: [UInt32]? = nil, _ arguments: [String]
    ) async throws -> CLI.Result {
        let directory = try TestDirectory()
        var privileges = ["--reuid=\(uid)", "--regid=\(gid ?? uid)"]
        if let groups {
            privileges.append("--groups=" + groups.map(String.init).joined(separator: ","))
        } else {
            privileges.append(initGroups ? "--init-groups" : "--clear-groups")
        }
        let child = try SpawnedProcess(
            "/usr/bin/setpriv", privileges + [BuiltProducts.path("trainq")] + arguments, directory: directory, name: "trainq"
        )
        let code = await child.wait(timeout: .seconds(60))
        return CLI.Result(code: code, stdout: child.stdout, stderr: child.stderr)
    }

    static func submit(as uid: UInt32, gid: UInt32? = nil, daemon: DaemonProcess, request: String) async throws -> SubmissionView {
        let result = try await cli(as: uid, gid: gid, ["submit", request, "--job-id", "10", "--socket", daemon.socketPath, "--json"])
        #expect(result.code == 0, "uid \(uid): \(result.stderr)")
        return try APICoding.decoder().decode(SubmissionView.self, from: Data(result.stdout.utf8))
    }

    /// Cancels as `uid`; a submission caught in the few milliseconds of `submitting` answers 7
    /// (conflict), so that is tried again, a bounded number of times.
    static func cancel(as uid: UInt32, _ id: String, daemon: DaemonProcess) async throws -> CLI.Result {
        var result = try await cli(as: uid, ["cancel", id, "--socket", daemon.socketPath])
        for _ in 0..<20 where result.code == 7 {
            try await Task.sleep(for: .milliseconds(100))
            result = try await cli(as: uid, ["cancel", id, "--socket", daemon.socketPath])
        }
        return result
    }

    @Test func anAllowedUserSubmitsReadsAndCancelsTheirOwn() async throws {
        let directory = try TestDirectory()
        let daemon = try await Self.startDaemon(in: directory)
        let request = try SeedRequest.write(in: directory)
        let submission = try await Self.submit(as: Self.alice, daemon: daemon, request: request)
        #expect(submission.owner.uid == Self.alice)
        #expect(submission.owner.user == String(Self.alice))

        let show = try await Self.cli(as: Self.alice, ["show", submission.id, "--socket", daemon.socketPath])
        #expect(show.code == 0, "\(show.stderr)")
        let list = try await Self.cli(as: Self.alice, ["list", "--socket", daemon.socketPath, "--json"])
        #expect(list.code == 0, "\(list.stderr)")
        #expect(list.stdout.contains(submission.id))
        let cancel = try await Self.cancel(as: Self.alice, submission.id, daemon: daemon)
        #expect(cancel.code == 0, "\(cancel.stderr)")
        #expect(await daemon.stop() == 0)
    }

    @Test func aUserWhoIsNotAllowedIsRefusedAndTheRefusalIsLogged() async throws {
        let directory = try TestDirectory()
        let daemon = try await Self.startDaemon(in: directory)
        let request = try SeedRequest.write(in: directory)
        let result = try await Self.cli(as: Self.mallory, ["submit", request, "--job-id", "10", "--socket", daemon.socketPath])
        #expect(result.code == 6, "\(result.code) \(result.stderr)")
        #expect(result.stderr.contains("may not use trainq"), "\(result.stderr)")
        let reads = try await Self.cli(as: Self.mallory, ["list", "--socket", daemon.socketPath])
        #expect(reads.code == 6)
        #expect(await daemon.stop() == 0)
        let refusals = daemon.child.stderr.split(separator: "\n").filter { $0.contains("refused a caller the access policy does not allow") }
        #expect(refusals.count == 2, "\(daemon.child.stderr)")
        #expect(refusals.allSatisfy { $0.contains("uid=\(Self.mallory)") && $0.contains("pid=") })
        // Nothing was stored for the refused caller.
        #expect(!daemon.child.stderr.contains("accepted submission"))
    }

    @Test func anotherAllowedUserCannotCancelOrRetryASubmissionThatIsNotTheirs() async throws {
        let directory = try TestDirectory()
        let daemon = try await Self.startDaemon(in: directory)
        let request = try SeedRequest.write(in: directory)
        let submission = try await Self.submit(as: Self.alice, daemon: daemon, request: request)

        let cancel = try await Self.cli(as: Self.bob, ["cancel", submission.id, "--socket", daemon.socketPath])
        #expect(cancel.code == 6, "\(cancel.code) \(cancel.stderr)")
        #expect(cancel.stderr.contains("belongs to \(Self.alice)"), "\(cancel.stderr)")
        let retry = try await Self.cli(as: Self.bob, ["retry", submission.id, "--socket", daemon.socketPath])
        #expect(retry.code == 6, "\(retry.code) \(retry.stderr)")
        // Reading is allowed to every allowed user.
        let show = try await Self.cli(as: Self.bob, ["show", submission.id, "--socket", daemon.socketPath, "--json"])
        #expect(show.code == 0, "\(show.stderr)")
        let unchanged = try APICoding.decoder().decode(SubmissionView.self, from: Data(show.stdout.utf8))
        #expect(unchanged.state != .canceled)

        // An admin may cancel anyone's.
        let adminCancel = try await Self.cancel(as: Self.admin, submission.id, daemon: daemon)
        #expect(adminCancel.code == 0, "\(adminCancel.stderr)")
        #expect(await daemon.stop() == 0)
        let refusals = daemon.child.stderr.split(separator: "\n").filter { $0.contains("refused an action on another user's submission") }
        #expect(refusals.count == 2, "\(daemon.child.stderr)")
        #expect(refusals.allSatisfy { $0.contains("uid=\(Self.bob)") && $0.contains("pid=") && $0.contains("submission=\(submission.id)") })
    }

    @Test func membershipOfAnAllowedPrimaryGroupCounts() async throws {
        let group = try #require(Self.primaryGroup, "this machine has no group 'users'")
        let directory = try TestDirectory()
        let daemon = try await Self.startDaemon(in: directory)
        let request = try SeedRequest.write(in: directory)
        let submission = try await Self.submit(as: Self.groupMember, gid: group.gid, daemon: daemon, request: request)
        #expect(submission.owner.uid == Self.groupMember)
        // The same uid in a group that is not allowed is refused.
        let outsider = try await Self.cli(as: Self.groupMember, gid: Self.groupMember, ["list", "--socket", daemon.socketPath])
        #expect(outsider.code == 6, "\(outsider.stderr)")
        #expect(await daemon.stop() == 0)
    }

    @Test(.enabled(if: supplementaryMember != nil, "no user on this machine is a supplementary member of a group"))
    func membershipOfAnAllowedSupplementaryGroupCounts() async throws {
        let member = try #require(Self.supplementaryMember)
        let directory = try TestDirectory()
        let daemon = try await Self.startDaemon(in: directory)
        let result = try await Self.cli(as: member.uid, gid: member.gid, initGroups: true, ["list", "--socket", daemon.socketPath])
        #expect(result.code == 0, "\(member.user) in \(member.group): \(result.stderr)")
        #expect(await daemon.stop() == 0)
    }

    /// The kernel's word on the caller's groups (`SO_PEERGROUPS`) wins over the user database: a group the
    /// process was given counts though no database lists the uid in it.
    @Test func aSupplementaryGroupTheProcessHasCountsWithoutTheUserDatabase() async throws {
        let group = try #require(Self.primaryGroup, "this machine has no group 'users'")
        let stranger: UInt32 = 42_426
        let directory = try TestDirectory()
        let daemon = try await Self.startDaemon(in: directory)
        let allowed = try await Self.cli(as: stranger, gid: stranger, groups: [4_242, group.gid], ["list", "--socket", daemon.socketPath])
        #expect(allowed.code == 0, "uid \(stranger) with supplementary group \(group.name): \(allowed.stderr)")
        let refused = try await Self.cli(as: stranger, gid: stranger, groups: [4_242], ["list", "--socket", daemon.socketPath])
        #expect(refused.code == 6, "\(refused.stderr)")
        #expect(await daemon.stop() == 0)
    }

    /// ... and a group the user database lists but the process dropped does not count.
    @Test(.enabled(if: supplementaryMember != nil, "no user on this machine is a supplementary member of a group"))
    func aGroupTheProcessDroppedDoesNotCount() async throws {
        let member = try #require(Self.supplementaryMember)
        try #require(member.gid != Self.primaryGroup?.gid, "\(member.user)'s primary group is allowed by itself")
        let directory = try TestDirectory()
        let daemon = try await Self.startDaemon(in: directory)
        let result = try await Self.cli(as: member.uid, gid: member.gid, ["list", "--socket", daemon.socketPath])
        #expect(result.code == 6, "\(member.user) without \(member.group): \(result.stderr)")
        #expect(await daemon.stop() == 0)
    }
}
