import AsyncHTTPClient
import Foundation
import JSONTree
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What chromedriver answered instead of a value: the W3C error code ("no such element") and its message.
struct WebDriverError: Error, CustomStringConvertible {
    var error: String
    var message: String

    var description: String { "WebDriver \(error): \(message)" }
}

/// Headless Chromium driven by chromedriver over W3C WebDriver: just the commands the dashboard's tests
/// use. chromedriver is a child of the test (it picks its own port and prints it, so no port race), and
/// Chromium is chromedriver's child. Open one with `WebDriverSession.with(directory:)`, which quits it
/// whatever the body does: the session owns an `HTTPClient`, and one left running crashes a debug build
/// when it is freed.
final class WebDriverSession: Sendable {
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"
    /// The key W3C gives element references in JSON.
    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"
    /// How often `waitFor` looks again.
    static let pollInterval: Duration = .milliseconds(100)

    static var isInstalled: Bool {
        [chromium, chromedriver].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    let driver: ChildProcess
    let sessionID: String
    /// Chromium's own process, as chromedriver reports it: killed by its id if ending the session fails.
    let browserPID: pid_t?
    private let sessionURL: String
    private let http: HTTPClient
    private let closed = Mutex(false)

    private init(driver: ChildProcess, sessionID: String, browserPID: pid_t?, sessionURL: String, http: HTTPClient) {
        self.driver = driver
        self.sessionID = sessionID
        self.browserPID = browserPID
        self.sessionURL = sessionURL
        self.http = http
    }

    /// Runs `body` with a fresh browser whose profile lives in `directory`, then quits it, also when
    /// `body` throws.
    static func with<Result>(directory: TestDirectory, _ body: (WebDriverSession) async throws -> Result) async throws -> Result {
        let session = try await start(directory: directory)
        let result: Result
        do {
            result = try await body(session)
        } catch {
            await session.quit()
            throw error
        }
        await session.quit()
        return result
    }

    /// Starts chromedriver, waits (bounded) until it is ready and opens a session; on any failure stops
    /// what it started.
    static func start(directory: TestDirectory) async throws -> WebDriverSession {
        let driver = try ChildProcess(chromedriver, ["--port=0"], directory: directory, name: "chromedriver")
        var configuration = HTTPClient.Configuration()
        // chromedriver is on loopback: a refused connection means it is not up yet, and the caller retries.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            let driverPort = try await port(of: driver)
            let root = "http://127.0.0.1:\(driverPort)"
            try await waitUntilReady(root, driver: driver, http: http)
            let capabilities: JSONValue = .object([
                "capabilities": .object([
                    "alwaysMatch": .object([
                        "browserName": .string("chrome"),
                        "goog:chromeOptions": .object([
                            "binary": .string(chromium),
                            "args": .array([
                                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                "--window-size=1280,900", "--user-data-dir=\(directory.file("chromium-profile"))",
                            ].map(JSONValue.string)),
                        ]),
                    ])
                ])
            ])
            // Chromium starts slowly on a loaded machine: a generous timeout for this one command.
            let created = try await send(http, .POST, root + "/session", capabilities, timeout: .seconds(120))
            guard let sessionID = created["sessionId"]?.stringValue else {
                throw HarnessError("chromedriver created no session: \(created)")
            }
            let browserPID = created["capabilities"]?["goog:processID"]?.int64Value.map { pid_t($0) }
            return WebDriverSession(
                driver: driver, sessionID: sessionID, browserPID: browserPID, sessionURL: root + "/session/" + sessionID, http: http)
        } catch {
            try? await http.shutdown()
            driver.signal(SIGTERM)
            await driver.wait(timeout: .seconds(10))
            throw HarnessError(
                "could not start a browser session: \(error)\nchromedriver: \(driver.stdout.suffix(2000))\(driver.stderr.suffix(2000))")
        }
    }

    /// The port chromedriver chose for `--port=0`, from its line "ChromeDriver was started successfully on port N.".
    private static func port(of driver: ChildProcess) async throws -> Int {
        for _ in 0..<300 {
            if let line = driver.stdout.split(separator: "\n").first(where: { $0.contains("started successfully on port") }),
                let port = Int(line.split(separator: " ").last?.trimmingCharacters(in: CharacterSet(charactersIn: ".")) ?? "")
            {
                return port
            }
            guard driver.isRunning else { break }
            try await Task.sleep(for: pollInterval)
        }
        throw HarnessError("chromedriver printed no port")
    }

    private static func waitUntilReady(_ root: String, driver: ChildProcess, http: HTTPClient) async throws {
        for _ in 0..<300 {
            if let status = try? await send(http, .GET, root + "/status", timeout: .seconds(5)), status["ready"]?.boolValue == true {
                return
            }
            guard driver.isRunning else { break }
            try await Task.sleep(for: pollInterval)
        }
        throw HarnessError("chromedriver at \(root) never said it was ready")
    }

    // MARK: Commands

    func navigate(_ url: String) async throws {
        _ = try await command(.POST, "/url", .object(["url": .string(url)]))
    }

    var currentURL: String {
        get async throws {
            let value = try await command(.GET, "/url")
            guard let url = value.stringValue else { throw HarnessError("the current URL is not a string: \(value)") }
            return url
        }
    }

    /// Runs `script` as a function body in the page (`arguments[i]` are `args`) and returns what it returns.
    @discardableResult
    func execute(_ script: String, _ args: [JSONValue] = []) async throws -> JSONValue {
        try await command(.POST, "/execute/sync", .object(["script": .string(script), "args": .array(args)]))
    }

    /// The first element `css` matches, nil when none does.
    func find(_ css: String) async throws -> String? {
        do {
            let value = try await command(.POST, "/element", .object(["using": .string("css selector"), "value": .string(css)]))
            guard let elementID = value[Self.elementKey]?.stringValue else { throw HarnessError("no element reference in \(value)") }
            return elementID
        } catch let error as WebDriverError where error.error == "no such element" {
            return nil
        }
    }

    /// Every element `css` matches, in document order.
    func findAll(_ css: String) async throws -> [String] {
        let value = try await command(.POST, "/elements", .object(["using": .string("css selector"), "value": .string(css)]))
        return (value.arrayValue ?? []).compactMap { $0[Self.elementKey]?.stringValue }
    }

    /// The element's rendered text (WebDriver's: empty while it is hidden).
    func text(_ elementID: String) async throws -> String {
        try await command(.GET, "/element/\(elementID)/text").stringValue ?? ""
    }

    /// The text of the first element `css` matches, nil when none does.
    func text(of css: String) async throws -> String? {
        guard let elementID = try await find(css) else { return nil }
        return try await text(elementID)
    }

    func click(_ elementID: String) async throws {
        _ = try await command(.POST, "/element/\(elementID)/click", .object([:]))
    }

    /// The attribute's value (a present boolean attribute such as `hidden` reads "true"); nil when absent.
    func attribute(_ elementID: String, _ name: String) async throws -> String? {
        try await command(.GET, "/element/\(elementID)/attribute/\(name)").stringValue
    }

    /// The viewport as PNG.
    func screenshot() async throws -> Data {
        let value = try await command(.GET, "/screenshot")
        guard let encoded = value.stringValue, let png = Data(base64Encoded: encoded) else {
            throw HarnessError("the screenshot is not base64")
        }
        return png
    }

    /// The text of the open alert, confirm or prompt; nil when none is open.
    func alertText() async throws -> String? {
        do {
            return try await command(.GET, "/alert/text").stringValue ?? ""
        } catch let error as WebDriverError where error.error == "no such alert" {
            return nil
        }
    }

    func acceptAlert() async throws {
        _ = try await command(.POST, "/alert/accept", .object([:]))
    }

    func dismissAlert() async throws {
        _ = try await command(.POST, "/alert/dismiss", .object([:]))
    }

    /// Types into the open prompt (accept it afterwards).
    func sendAlertText(_ text: String) async throws {
        _ = try await command(.POST, "/alert/text", .object(["text": .string(text)]))
    }

    /// Polls `condition` every 100 ms until it holds, at most `timeout` worth of tries. An element that
    /// vanished or was replaced between two commands (the page re-renders as data arrives) counts as
    /// "not yet".
    func waitFor(_ description: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
        let tries = max(Int(timeout / Self.pollInterval), 1)
        var lastError: (any Error)?
        for _ in 0..<tries {
            do {
                if try await condition() { return }
                lastError = nil
            } catch let error as WebDriverError where ["stale element reference", "no such element"].contains(error.error) {
                lastError = error
            }
            try await Task.sleep(for: Self.pollInterval)
        }
        let url = (try? await currentURL) ?? "?"
        throw HarnessError("waited \(timeout) in vain for \(description) at \(url)\(lastError.map { " (last: \($0))" } ?? "")")
    }

    /// Ends the session (Chromium exits) and stops chromedriver; safe to call twice.
    func quit() async {
        let first = closed.withLock { isClosed in
            defer { isClosed = true }
            return !isClosed
        }
        guard first else { return }
        let ended = (try? await command(.DELETE, "", timeout: .seconds(30))) != nil
        driver.signal(SIGTERM)
        await driver.wait(timeout: .seconds(10))
        // Only when chromedriver could not close it: then nothing else will.
        if !ended, let browserPID { kill(browserPID, SIGKILL) }
        try? await http.shutdown()
    }

    // MARK: Wire

    private func command(_ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil, timeout: TimeAmount = .seconds(60)) async throws
        -> JSONValue
    {
        try await Self.send(http, method, sessionURL + path, body, timeout: timeout)
    }

    /// One WebDriver request; the answer's `value`, or its error as a `WebDriverError`.
    private static func send(_ http: HTTPClient, _ method: HTTPMethod, _ url: String, _ body: JSONValue? = nil, timeout: TimeAmount)
        async throws -> JSONValue
    {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(bytes: body.canonicalBytes()))
        }
        let response = try await http.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let answer: JSONValue
        do {
            answer = try JSONValue.parse(Data(buffer: bytes))
        } catch {
            throw WebDriverError(error: "HTTP \(response.status.code)", message: String(buffer: bytes))
        }
        let value = answer["value"] ?? .null
        guard (200..<300).contains(response.status.code) else {
            throw WebDriverError(
                error: value["error"]?.stringValue ?? "HTTP \(response.status.code)",
                message: value["message"]?.stringValue ?? String(buffer: bytes))
        }
        return value
    }
}
