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
            let accepted = AcceptedChannels()
            let server = try await ServerBootstrap(group: group)
                .childChannelInitializer { channel in
                    accepted.append(channel)
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ConnectionCredentialsHandler())
                    }
                }
                .bind(unixDomainSocketPath: path).get()
            let baseline = ConnectionCredentials.connectionsKnown

            var clients: [any Channel] = []
            for _ in 0..<3 {
                clients.append(try await ClientBootstrap(group: group).connect(unixDomainSocketPath: path).get())
            }
            try await waitUntil { accepted.channels.count == 3 && ConnectionCredentials.connectionsKnown == baseline + 3 }
            for channel in accepted.channels {
                let credentials = try #require(ConnectionCredentials.credentials(of: channel))
                #expect(credentials.uid == getuid() && credentials.gid == getgid() && credentials.pid == getpid())
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
