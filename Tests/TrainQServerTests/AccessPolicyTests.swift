import Testing
@testable import TrainQServer
import TrainQAPI

@Suite struct AccessPolicyTests {
    let policy = AccessPolicy(
        configuration: .init(adminUsers: ["ops"], adminGroups: ["wheel"], allowedUsers: ["carol"], allowedGroups: ["trainq"]),
        daemonUID: 990
    )

    @Test func rootAndTheDaemonUserAreAlwaysAdmins() {
        #expect(policy.role(uid: 0, userName: "root", groups: []) == .admin)
        #expect(policy.role(uid: 990, userName: "trainq", groups: []) == .admin)
    }

    @Test func adminUsersAndGroups() {
        #expect(policy.role(uid: 1001, userName: "ops", groups: []) == .admin)
        #expect(policy.role(uid: 1002, userName: "dave", groups: ["users", "wheel"]) == .admin)
    }

    @Test func supplementaryGroupsCount() {
        #expect(policy.role(uid: 1003, userName: "alice", groups: ["alice", "trainq"]) == .member)
        #expect(policy.role(uid: 1004, userName: "carol", groups: []) == .member)
    }

    @Test func everyoneElseIsRefused() {
        #expect(policy.role(uid: 1005, userName: "mallory", groups: ["users"]) == .none)
    }

    @Test func membersActOnlyOnTheirOwn() {
        let alice = Caller(uid: 1003, gid: 1003, pid: 1, userName: "alice", role: .member)
        #expect(alice.mayAct(on: Owner(uid: 1003, user: "alice")))
        #expect(!alice.mayAct(on: Owner(uid: 1004, user: "carol")))
        let admin = Caller(uid: 0, gid: 0, pid: 1, userName: "root", role: .admin)
        #expect(admin.mayAct(on: Owner(uid: 1004, user: "carol")))
    }
}
