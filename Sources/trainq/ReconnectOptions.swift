import ArgumentParser

/// `--reconnect-timeout`, shared by the commands that follow a submission or the event stream.
struct ReconnectOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "While trainqd is away (restarting), keep reconnecting this long (300ms, 2s, 5m, 1h) before giving up with exit 3; 0 retries for ever."
    )
    var reconnectTimeout = "5m"

    func validate() throws {
        do { _ = try DurationText.parse(reconnectTimeout) } catch { throw ValidationError(error.description) }
    }

    func reconnector(socketPath: String) -> Reconnector {
        let timeout = (try? DurationText.parse(reconnectTimeout)) ?? ReconnectPolicy().timeout
        return Reconnector(policy: ReconnectPolicy(timeout: timeout == .zero ? nil : timeout), socketPath: socketPath)
    }
}
