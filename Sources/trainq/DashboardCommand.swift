import ArgumentParser
import Foundation
import Logging
import TrainQDashboard

/// `trainq dashboard`: a web page over trainqd's socket, served to this user's browser from loopback.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Serve a web dashboard of the queue on 127.0.0.1, relaying to trainqd as you.",
        discussion: """
            Prints a URL with a one-time token; open it (or pass --open). Anyone who has the URL acts as you, \
            so keep it to yourself. Without the token every request is refused. Stop with Ctrl-C.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Where to listen (default 127.0.0.1 on a free port).", valueName: "host:port"))
    var listen: String?

    @Flag(name: .long, help: "Open the page in the desktop's browser (xdg-open).")
    var open = false

    func run() async throws {
        let address: DashboardListenAddress
        if let listen {
            guard let parsed = DashboardListenAddress(parsing: listen) else {
                throw ValidationError("--listen '\(listen)' must look like 127.0.0.1:8080 or [::1]:0")
            }
            address = parsed
        } else {
            address = .defaultAddress
        }
        if !address.isLoopback {
            FileHandle.standardError.write(Data("""
                trainq dashboard: warning: listening on \(address.host), not loopback: anyone who can reach it and \
                learns the URL acts as you

                """.utf8))
        }
        let server = DashboardServer(listen: address, socketPath: options.socketPath)
        var logger = Logger(label: "trainq-dashboard")
        logger.logLevel = .warning
        let open = self.open
        try await server.run(logger: logger) { port in
            let url = server.entryURL(port: port)
            printLine("trainq dashboard: \(url)")
            if open { Self.openInBrowser(url) }
        }
    }

    /// Best effort: a headless host has no browser, and the printed URL is enough.
    static func openInBrowser(_ url: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["xdg-open", url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            FileHandle.standardError.write(Data("trainq dashboard: could not start xdg-open (\(error)); open the URL yourself\n".utf8))
        }
    }
}
