/// `trainq --socket PATH <command>` works as well as `trainq <command> --socket PATH`, as `docker -H`
/// and `git -C` do: the shared options given before the command are moved after its name, where each
/// subcommand's `GlobalOptions` reads them.
enum LeadingGlobalOptions {
    /// Options that take a value, and flags, that every subcommand shares.
    static let valued: Set<String> = ["--socket"]
    static let flags: Set<String> = ["--json"]

    /// `arguments` without the program name, with shared options before the command moved after it.
    /// Anything else is left as it is, for the parser to judge.
    static func reordered(_ arguments: [String], commands: Set<String>) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if flags.contains(argument) || valued.contains(where: { argument.hasPrefix($0 + "=") }) {
                leading.append(argument)
                index += 1
            } else if valued.contains(argument), index + 1 < arguments.count {
                leading.append(contentsOf: arguments[index...(index + 1)])
                index += 2
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count, commands.contains(arguments[index]) else { return arguments }
        return [arguments[index]] + leading + arguments[(index + 1)...]
    }
}
