import ArgumentParser
import Foundation

@main
struct TrainQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trainq",
        abstract: "Queue ModelArts training-job versions through trainqd and follow them.",
        discussion: """
            Exit codes: 0 success; 1 failure; 2 usage; 3 trainqd not reachable; 4 request invalid;
            5 not found; 6 not allowed; 7 conflict (idempotency key or state).
            `watch` and `submit --wait` end with 0 for succeeded, 10 failed, 11 stopped, 12 rejected,
            13 exhausted, 14 canceled, 15 needs attention.
            """,
        subcommands: [
            SubmitCommand.self, ListCommand.self, ShowCommand.self, WatchCommand.self, CancelCommand.self,
            RetryCommand.self, ResolveCommand.self, EventsCommand.self, StatusCommand.self, DashboardCommand.self, CompletionCommand.self,
        ]
    )

    /// Parses with the shared options allowed before the command (`trainq --socket PATH list`).
    static func main() async {
        let commands = Set(configuration.subcommands.map { $0._commandName })
        await main(LeadingGlobalOptions.reordered(Array(CommandLine.arguments.dropFirst()), commands: commands))
    }
}

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "trainqd's socket (default: $TRAINQ_SOCKET or /run/trainq/trainq.sock).")
    var socket: String?

    @Flag(name: .long, help: "Print JSON for scripts instead of text for people.")
    var json = false

    var socketPath: String {
        socket ?? ProcessInfo.processInfo.environment["TRAINQ_SOCKET"] ?? "/run/trainq/trainq.sock"
    }
}

/// Runs a subcommand's body with a connected client, turning `CLIError`s into their message on stderr
/// and their exit code.
func withDaemon(_ options: GlobalOptions, _ body: (DaemonClient) async throws -> Int32) async throws {
    let client = DaemonClient(socketPath: options.socketPath)
    let code: Int32
    do {
        code = try await body(client)
    } catch let error as CLIError {
        await client.shutdown()
        FileHandle.standardError.write(Data("trainq: \(error)\n".utf8))
        throw ExitCode(error.exitCode.rawValue)
    } catch {
        await client.shutdown()
        throw error
    }
    await client.shutdown()
    if code != 0 { throw ExitCode(code) }
}

/// A line on stdout, written at once: `watch` and `events --follow` are read while they run (pipes,
/// files), where `print` would hold the lines in its buffer until exit.
func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func printJSON(_ value: some Encodable) throws {
    let encoder = APICodingForCLI.encoder
    FileHandle.standardOutput.write(try encoder.encode(value))
    FileHandle.standardOutput.write(Data("\n".utf8))
}
