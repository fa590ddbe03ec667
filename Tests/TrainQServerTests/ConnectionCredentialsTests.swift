import CLinuxShims
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import TrainQServer

/// Over a real Unix socket: the credentials are the kernel's for the connecting process, kept while the
/// connection is open and forgotten when it closes.
@Suite struct ConnectionCredentialsTests {
    @Test func eachConnectionIsKnownWhileOpenAndForgottenWhenClosed() async throws {
        let directory = try TemporaryDirectory()
        do {
            let path = directory.file("c.sock")
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let (server, accepted) = try await Self.credentialsServer(on: group, path: path)
            let baseline = ConnectionCredentials.connectionsKnown

            var clients: [any Channel] = []
            for _ in 0..<3 {
                clients.append(try await ClientBootstrap(group: group).connect(unixDomainSocketPath: path).get())
            }
            try await waitUntil { accepted.channels.count == 3 && ConnectionCredentials.connectionsKnown == baseline + 3 }
            for channel in accepted.channels {
                let credentials = try #require(ConnectionCredentials.credentials(of: channel))
                #expect(credentials.uid == getuid() && credentials.gid == getgid() && credentials.pid == getpid())
                // The kernel's list of this process's supplementary groups, as getgroups(2) gives it.
                #expect(credentials.groups == Self.processGroups())
                #expect(await PeerCredentials.of(channel) == credentials)
            }

            for client in clients { try await client.close() }
            try await waitUntil { ConnectionCredentials.connectionsKnown == baseline }
            for channel in accepted.channels {
                #expect(ConnectionCredentials.credentials(of: channel) == nil)
            }
            try await server.close()
            try await group.shutdownGracefully()
        }
    }

    /// The event loop answers a submission itself only for a caller it knows without waiting: the
    /// connection's credentials and a fresh identity in the directory's cache. Otherwise nil, and the
    /// request takes the task that may ask the user database.
    @Test func aKnownCallerNeedsTheConnectionsCredentialsAndAFreshIdentity() async throws {
        let directory = try TemporaryDirectory()
        do {
            let path = directory.file("k.sock")
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let (server, accepted) = try await Self.credentialsServer(on: group, path: path)
            let client = try await ClientBootstrap(group: group).connect(unixDomainSocketPath: path).get()
            try await waitUntil { accepted.channels.count == 1 }
            let channel = try #require(accepted.channels.first)
            try await waitUntil { ConnectionCredentials.credentials(of: channel) != nil }

            let identification = PeerCallerIdentification(
                policy: AccessPolicy(configuration: .init(), daemonUID: getuid()),
                directory: UserDirectory(lifetime: .milliseconds(300)))
            #expect(identification.knownCaller(on: channel) == nil)
            let caller = try #require(await identification.caller(on: channel))
            #expect(caller.uid == getuid() && caller.role == .admin)
            #expect(identification.knownCaller(on: channel) == caller)
            try await Task.sleep(for: .milliseconds(400))
            #expect(identification.knownCaller(on: channel) == nil)

            try await client.close()
            try await waitUntil { ConnectionCredentials.credentials(of: channel) == nil }
            _ = await identification.caller(on: channel)
            #expect(identification.knownCaller(on: channel) == nil)
            try await server.close()
            try await group.shutdownGracefully()
        }
    }

    /// This process's supplementary groups, sorted as the kernel keeps them.
    static func processGroups() -> [UInt32] {
        let count = getgroups(0, nil)
        var groups = [gid_t](repeating: 0, count: Int(max(count, 0)))
        let read = getgroups(count, &groups)
        return Array(Set(groups.prefix(Int(max(read, 0))))).sorted()
    }

    /// What `SO_PEERGROUPS` wrote is the ascending run before NIO's zero fill; gid 0 leads when present.
    @Test func theGroupsAreTheAscendingRunBeforeTheZeroFill() {
        var read = trainq_peer_groups()
        #expect(PeerCredentials.groups(in: read) == [0])  // only a probe that found groups reads this
        withUnsafeMutableBytes(of: &read.gids) { bytes in
            let gids = bytes.bindMemory(to: gid_t.self)
            gids[0] = 0
            gids[1] = 27
            gids[2] = 100
        }
        #expect(PeerCredentials.groups(in: read) == [0, 27, 100])
        withUnsafeMutableBytes(of: &read.gids) { bytes in
            let gids = bytes.bindMemory(to: gid_t.self)
            gids[0] = 5
            gids[1] = 5
            gids[2] = 4_000_000
            gids[255] = 4_000_001
        }
        #expect(PeerCredentials.groups(in: read) == [5, 4_000_000])
    }

    /// A server whose connections only record their credentials, and the channels it accepted.
    private static func credentialsServer(on group: MultiThreadedEventLoopGroup, path: String) async throws -> (any Channel, AcceptedChannels) {
        let accepted = AcceptedChannels()
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                accepted.append(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectionCredentialsHandler())
                }
            }
            .bind(unixDomainSocketPath: path).get()
        return (server, accepted)
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<500 where !condition() {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(condition())
    }
}

private final class AcceptedChannels: Sendable {
    private let list = Mutex<[any Channel]>([])
    func append(_ channel: any Channel) { list.withLock { $0.append(channel) } }
    var channels: [any Channel] { list.withLock { $0 } }
}
