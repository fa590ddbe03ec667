import ArgumentParser

/// `trainq completion bash|zsh|fish`: the shell completion script, for `scripts/install.sh`, the
/// Debian package, or `source <(trainq completion bash)`.
struct CompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion",
        abstract: "Print shell completion for bash, zsh or fish.",
        discussion: """
            bash: trainq completion bash > /usr/share/bash-completion/completions/trainq
            zsh:  trainq completion zsh > "${fpath[1]}/_trainq"
            fish: trainq completion fish > ~/.config/fish/completions/trainq.fish
            """
    )

    enum Shell: String, ExpressibleByArgument, CaseIterable {
        case bash, zsh, fish
    }

    @Argument(help: "bash, zsh or fish.")
    var shell: Shell

    func run() {
        let completionShell: CompletionShell =
            switch shell {
            case .bash: .bash
            case .zsh: .zsh
            case .fish: .fish
            }
        print(TrainQCommand.completionScript(for: completionShell), terminator: "")
    }
}
