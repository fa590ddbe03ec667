import ArgumentParser

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow a submission until it ends; the exit code says how (0 succeeded, 10 failed, 11 stopped, 12 rejected, 13 exhausted, 14 canceled, 15 needs attention)."
    )

    @OptionGroup var options: GlobalOptions
    @OptionGroup var reconnect: ReconnectOptions

    @Argument(help: "The submission id.")
    var id: String

    func run() async throws {
        try await withDaemon(options) { client in
            try await Watcher(client: client, json: options.json, reconnector: reconnect.reconnector(socketPath: options.socketPath))
                .follow(id)
        }
    }
}
