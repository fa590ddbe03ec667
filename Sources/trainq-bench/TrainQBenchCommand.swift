import ArgumentParser

/// The load generator and probes behind `scripts/bench`. Every subcommand prints one line of
/// `key=value` figures that the script turns into the table.
@main
struct TrainQBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trainq-bench",
        abstract: "Measure trainqd and peer queues over Unix sockets.",
        subcommands: [IntakeCommand.self, CreateLatencyCommand.self, ReadyCommand.self, ListLatencyCommand.self]
    )
}
