import Foundation
import TrainQAPI

/// Colour for states, only where a person sees it: standard output is a terminal, `NO_COLOR` is
/// unset (https://no-color.org) and `TERM` is not `dumb`. Pipes and files get plain text.
enum StateColor {
    static let enabled: Bool = {
        let environment = ProcessInfo.processInfo.environment
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isatty(STDOUT_FILENO) == 1
    }()

    /// `text` (a state's name, possibly padded) in the state's colour: green for success, red for an
    /// end that needs a look, yellow for one a person chose, cyan while trainq is still working.
    static func paint(_ text: String, _ state: SubmissionState) -> String {
        guard enabled else { return text }
        let code: String =
            switch state {
            case .succeeded: "32"
            case .failed, .rejected, .exhausted: "31"
            case .needsAttention: "1;35"
            case .stopped, .canceled: "33"
            case .queued, .retrying, .submitting, .reconciling, .tracking: "36"
            }
        // Padding stays outside the colour so columns line up the same with and without it.
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return text.replacingOccurrences(of: trimmed, with: "\u{1B}[\(code)m\(trimmed)\u{1B}[0m")
    }
}
