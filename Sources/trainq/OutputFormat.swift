import ArgumentParser

/// `-o table|wide|json` for `list` and `show`, as `kubectl -o` does; `--json` stays as the short
/// form of `-o json`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case wide
    case json
}

struct OutputOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .long], help: "table (default), wide (more columns) or json.")
    var output: OutputFormat = .table

    func format(_ options: GlobalOptions) -> OutputFormat {
        options.json ? .json : output
    }
}
