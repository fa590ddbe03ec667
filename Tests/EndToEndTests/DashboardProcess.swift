import AsyncHTTPClient
import Foundation
import JSONTree
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing
import TrainQAPI

#if canImport(Glibc)
import Glibc
#endif

/// `trainq dashboard` as a child process, with the URL it printed.
final class DashboardProcess: Sendable {
    static let cookieName = "trainq_dashboard"
    static let urlPrefix = "trainq dashboard: http://"

    let child: ChildProcess
    /// The printed URL, token included.
    let entryURL: String
    let port: Int
    let token: String

    var base: String { "http://127.0.0.1:\(port)" }

    init(directory: TestDirectory, socketPath: String, listen: String = "127.0.0.1:0", name: String = "trainq-dashboard") async throws {
        let child = try ChildProcess(
            BuiltProducts.path("trainq"), ["dashboard", "--listen", listen, "--socket", socketPath], directory: directory, name: name)
        for _ in 0..<300 {
            if let line = child.stdout.split(separator: "\n").first(where: { $0.hasPrefix(Self.urlPrefix) }) {
                let url = String(line.dropFirst("trainq dashboard: ".count))
                guard let components = URLComponents(string: url), let port = components.port,
                    let token = components.queryItems?.first(where: { $0.name == "token" })?.value
                else { throw HarnessError("trainq dashboard printed a URL without port or token: \(line)") }
                self.child = child
                self.entryURL = url
                self.port = port
                self.token = token
                return
            }
            guard child.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("trainq dashboard printed no URL:\n\(child.stdout)\(child.stderr)")
    }

    func stop() async -> Int32 {
        child.signal(SIGTERM)
        return await child.wait()
    }
}

