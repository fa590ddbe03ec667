import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// Looks up user and group names through the system's user database (NSS), and group memberships too
/// when the kernel could not give them, with a short cache so that a busy client does not make every
/// request read `/etc/group`.
final class UserDirectory: Sendable {
    struct Identity: Sendable {
        var userName: String
        var groupNames: Set<String>
        var fetchedAt: ContinuousClock.Instant
    }

    /// By uid and groups: the same user may connect with another primary group (`newgrp`, `sg`) or
    /// other supplementary groups (`setpriv`, a new login).
    private let cache = NIOLockedValueBox<[CacheKey: Identity]>([:])

    private struct CacheKey: Hashable {
        var uid: UInt32
        var gid: UInt32
        var groups: [UInt32]?
    }
    private let lifetime: Duration

    init(lifetime: Duration = .seconds(30)) {
        self.lifetime = lifetime
    }

    /// The user's name (or the uid as text when the user database has none) and the names of the
    /// primary group and every supplementary group. `groups` are the supplementary groups the kernel
    /// reported for the connection (`SO_PEERGROUPS`): they are what the process really has, so they win
    /// over the user database, which is asked only when the kernel could not say.
    func identity(uid: UInt32, gid: UInt32, groups supplementary: [UInt32]? = nil) -> Identity {
        let now = ContinuousClock.now
        if let cached = cachedIdentity(uid: uid, gid: gid, groups: supplementary, now: now) {
            return cached
        }
        let userName = Self.userName(uid: uid) ?? String(uid)
        let groupIDs = supplementary.map { [gid] + $0 } ?? Self.groupIDs(userName: userName, primary: gid)
        var groups = Set<String>()
        for groupID in groupIDs {
            if let name = Self.groupName(gid: groupID) { groups.insert(name) }
        }
        let identity = Identity(userName: userName, groupNames: groups, fetchedAt: now)
        cache.withLockedValue { $0[CacheKey(uid: uid, gid: gid, groups: supplementary)] = identity }
        return identity
    }

    /// The cached identity while it is fresh, else nil: for an event loop, which must not wait for the
    /// user database (it may be LDAP over the network).
    func cachedIdentity(uid: UInt32, gid: UInt32, groups supplementary: [UInt32]?, now: ContinuousClock.Instant = .now) -> Identity? {
        let key = CacheKey(uid: uid, gid: gid, groups: supplementary)
        guard let cached = cache.withLockedValue({ $0[key] }), now - cached.fetchedAt < lifetime else { return nil }
        return cached
    }

    static func userName(uid: UInt32) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else {
            return nil
        }
        return String(cString: name)
    }

    static func groupName(gid: UInt32) -> String? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getgrgid_r(gid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.gr_name else {
            return nil
        }
        return String(cString: name)
    }

    static func groupID(name: String) -> UInt32? {
        guard !name.isEmpty, !name.utf8.contains(0) else { return nil }
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }

    /// The primary group and every supplementary group of `userName`.
    static func groupIDs(userName: String, primary: UInt32) -> [UInt32] {
        var count: Int32 = 64
        while true {
            var groups = [gid_t](repeating: 0, count: Int(count))
            let capacity = count
            if getgrouplist(userName, primary, &groups, &count) >= 0 {
                return Array(groups.prefix(Int(count)))
            }
            // Too small: `count` now holds the size needed.
            if count <= capacity { return [primary] }
        }
    }
}

extension UserDirectory {
    static func userID(name: String) -> UInt32? {
        // The C call stops at a NUL: "root\0x" would name root.
        guard !name.isEmpty, !name.utf8.contains(0) else { return nil }
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.pw_uid
    }
}
