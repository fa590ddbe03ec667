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

/// `trainq dashboard` as its user meets it: the relay admits only the page it served (token cookie, own
/// Host and Origin, CSRF header on changes), and the page in a real browser follows the queue live,
/// shows a submission's timeline, cancels, and says when trainqd is gone.
///
/// The browser tests run where Chromium and chromedriver are installed, and always in CI: there
/// `TRAINQ_REQUIRE_BROWSER` is set, so a missing browser fails them instead of skipping them unseen.
@Suite(.serialized) struct DashboardTests {
    static var browserRequired: Bool {
        let value = ProcessInfo.processInfo.environment["TRAINQ_REQUIRE_BROWSER"] ?? ""
        return !value.isEmpty && value != "0"
    }

    static var browserTestsRun: Bool { WebDriverSession.isInstalled || browserRequired }

    static func requireBrowser() throws {
        try #require(
            WebDriverSession.isInstalled,
            """
            TRAINQ_REQUIRE_BROWSER is set but \(WebDriverSession.chromium) or \(WebDriverSession.chromedriver) is missing \
            (apt-get install chromium chromium-driver)
            """
        )
    }

    // MARK: - The relay's access rules (no browser)

    @Test func theRelayAdmitsOnlyItsOwnPageWithTheTokenCookieAndTheCSRFHeader() async throws {
        let directory = try TestDirectory()
        let daemon = try await DaemonProcess(directory: directory)
        defer { daemon.child.signal(SIGKILL) }
        let dashboard = try await DashboardProcess(directory: directory, socketPath: daemon.socketPath)
        defer { dashboard.child.signal(SIGKILL) }
        #expect(dashboard.token.count == 64 && dashboard.token.allSatisfy { "0123456789abcdef".contains($0) }, "\(dashboard.token)")
        #expect(!dashboard.child.stderr.contains("warning"), "\(dashboard.child.stderr)")
        let cookie = ("Cookie", "\(DashboardProcess.cookieName)=\(dashboard.token)")

        try await RelayClient.with { relay in
            // Without the cookie neither the page nor the API answers.
            for path in ["/", "/api/v1/health"] {
                let refused = try await relay.send(.GET, dashboard.base + path)
                #expect(refused.status == 403, "\(path): \(refused.text)")
                #expect(refused.errorKind == "forbidden", "\(path): \(refused.text)")
            }
            let wrongToken = try await relay.send(.GET, dashboard.base + "/?token=" + String(repeating: "0", count: 64))
            #expect(wrongToken.status == 403, "\(wrongToken.text)")
            #expect(wrongToken.errorKind == "forbidden")
            #expect(wrongToken.headers.first(name: "Set-Cookie") == nil)

            // The printed URL: the token becomes the cookie and leaves the address bar.
            let entered = try await relay.send(.GET, dashboard.entryURL)
            #expect(entered.status == 303, "\(entered.text)")
            #expect(entered.headers.first(name: "Location") == "/")
            let setCookie = (entered.headers.first(name: "Set-Cookie") ?? "").split(separator: ";").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            #expect(setCookie.first == "\(DashboardProcess.cookieName)=\(dashboard.token)", "\(setCookie)")
            #expect(Set(setCookie.dropFirst().map { $0.lowercased() }) == ["path=/", "httponly", "samesite=strict"], "\(setCookie)")

            // With the cookie, under either loopback name of the port, and from the page's own origin.
            #expect(try await relay.send(.GET, dashboard.base + "/api/v1/health", headers: [cookie]).status == 200)
            let byName = try await relay.send(.GET, dashboard.base + "/api/v1/health", headers: [cookie, ("Host", "localhost:\(dashboard.port)")])
            #expect(byName.status == 200, "\(byName.text)")
            let sameOrigin = try await relay.send(
                .GET, dashboard.base + "/api/v1/health", headers: [cookie, ("Origin", "http://127.0.0.1:\(dashboard.port)")])
            #expect(sameOrigin.status == 200, "\(sameOrigin.text)")

            // DNS rebinding: the right cookie under another name is refused; so is another origin.
            let rebound = try await relay.send(
                .GET, dashboard.base + "/api/v1/health", headers: [cookie, ("Host", "evil.example:\(dashboard.port)")])
            #expect(rebound.status == 403, "\(rebound.text)")
            #expect(rebound.errorKind == "forbidden")
            let foreign = try await relay.send(.GET, dashboard.base + "/api/v1/health", headers: [cookie, ("Origin", "http://evil.example")])
            #expect(foreign.status == 403, "\(foreign.text)")
            #expect(foreign.errorKind == "forbidden")

            // A change needs the CSRF token that only the served page carries.
            let page = try await relay.send(.GET, dashboard.base + "/", headers: [cookie])
            #expect(page.status == 200)
            let csrf = try #require(Self.csrfToken(in: page.text), "no <meta name=\"trainq-csrf\"> in the page: \(page.text.prefix(500))")
            let cancel = dashboard.base + "/api/v1/submissions/no-such-submission/cancel"
            let withoutCSRF = try await relay.send(.POST, cancel, headers: [cookie])
            #expect(withoutCSRF.status == 403, "\(withoutCSRF.text)")
            #expect(withoutCSRF.errorKind == "forbidden")
            let wrongCSRF = try await relay.send(.POST, cancel, headers: [cookie, ("X-TrainQ-CSRF", dashboard.token)])
            #expect(wrongCSRF.status == 403, "the cookie's token is not the CSRF token: \(wrongCSRF.text)")
            let relayed = try await relay.send(.POST, cancel, headers: [cookie, ("X-TrainQ-CSRF", csrf)])
            #expect(relayed.status == 404, "\(relayed.text)")
            #expect(relayed.errorKind == "not_found", "the daemon's own answer: \(relayed.text)")

            // Anywhere but loopback: it starts, and says loudly who can reach it.
            let anywhere = try await DashboardProcess(
                directory: directory, socketPath: daemon.socketPath, listen: "0.0.0.0:0", name: "trainq-dashboard-anywhere")
            defer { anywhere.child.signal(SIGKILL) }
            #expect(
                anywhere.child.stderr.split(separator: "\n").contains { $0.hasPrefix("trainq dashboard: warning:") },
                "\(anywhere.child.stderr)")
            #expect(await anywhere.stop() == 0, "\(anywhere.child.stderr)")

            // trainqd gone: the relay says so in the envelope the page reads.
            #expect(await daemon.stop() == 0)
            let down = try await relay.send(.GET, dashboard.base + "/api/v1/health", headers: [cookie])
            #expect(down.status == 503, "\(down.text)")
            #expect(down.errorKind == "daemon_unavailable", "\(down.text)")
        }
        #expect(await dashboard.stop() == 0, "\(dashboard.child.stderr)")
    }

    // MARK: - The page in a browser

    @Test(.enabled(if: browserTestsRun, "needs /usr/bin/chromium and /usr/bin/chromedriver (or TRAINQ_REQUIRE_BROWSER to fail without)"))
    func aNewSubmissionAppearsWithoutAReloadAndItsTimelineEndsSucceeded() async throws {
        try Self.requireBrowser()
        let directory = try TestDirectory()
        let daemon = try await DaemonProcess(directory: directory)
        defer { daemon.child.signal(SIGKILL) }
        let dashboard = try await DashboardProcess(directory: directory, socketPath: daemon.socketPath)
        defer { dashboard.child.signal(SIGKILL) }
        let request = try SeedRequest.write(in: directory)

        try await WebDriverSession.with(directory: directory) { browser in
            try await Self.open(dashboard, in: browser)
            // Set in the page's global scope: still there later means the page was never loaded again.
            try await browser.execute("window.trainqTestMark = 'same page'; return null;")

            let id = try await Self.submit(request, socket: daemon.socketPath)
            let row = "#submissions tbody tr[data-id=\"\(id)\"]"
            try await browser.waitFor("the new submission's row in the list") {
                guard let state = try await browser.text(of: row + " td.state") else { return false }
                return SubmissionState(rawValue: state) != nil
            }
            #expect(try await Self.isSamePage(browser), "the list was reloaded to show the new submission")
            try await Self.saveScreenshot(browser, "dashboard-list.png", directory: directory)

            // A hash change on the same page, as the row's link does.
            try await browser.navigate(dashboard.base + "/#/submissions/\(id)")
            try await browser.waitFor("the submission view to say succeeded", timeout: .seconds(90)) {
                try await browser.text(of: "#submission-state") == "succeeded"
            }
            try await browser.waitFor("the timeline's succeeded step") {
                try await browser.find("ol#timeline li[data-state=\"succeeded\"]") != nil
            }
            let view = try #require(try await browser.find("#submission-view"))
            #expect(try await browser.attribute(view, "hidden") == nil)
            #expect(try await browser.find("table#attempts") != nil)
            // textContent, not the rendered text: the request may sit in a collapsed block.
            let shownRequest = try await browser.execute(
                "const pre = document.querySelector('pre#request'); return pre ? pre.textContent : null;")
            #expect(shownRequest.stringValue?.contains("learning_rate") == true, "\(shownRequest)")
            #expect(try await Self.isSamePage(browser), "opening the submission reloaded the page")
            try await Self.saveScreenshot(browser, "dashboard-timeline.png", directory: directory)
        }
        #expect(await dashboard.stop() == 0, "\(dashboard.child.stderr)")
        #expect(await daemon.stop() == 0)
    }

    /// A submission stays `queued` while another version of its job is being created: the simulator holds
    /// every create for ten minutes. (A create that fails instead would not do: a `retrying` submission
    /// lets the next queued one of its job go first until its own time comes.)
    @Test(.enabled(if: browserTestsRun, "needs /usr/bin/chromium and /usr/bin/chromedriver (or TRAINQ_REQUIRE_BROWSER to fail without)"))
    func cancelOnTheSubmissionViewCancelsAQueuedSubmission() async throws {
        try Self.requireBrowser()
        let directory = try TestDirectory()
        let simulator = try await SimulatorProcess(directory: directory)
        defer { simulator.child.signal(SIGKILL) }
        try await simulator.setFaults("""
            {"faults": [{"on": "create", "kind": "delay", "delay_ms": 600000}]}
            """)
        let config = try simulator.daemonConfiguration(in: directory, requestTimeout: "15m", extra: """
            submit:
              drain_timeout: 2s
            """)
        let daemon = try await DaemonProcess(directory: directory, extraArguments: ["--config", config])
        defer { daemon.child.signal(SIGKILL) }
        let request = try SeedRequest.write(in: directory)
        let first = try await Self.submit(request, socket: daemon.socketPath)
        try await Self.waitForState(.submitting, of: first, socket: daemon.socketPath)
        let second = try await Self.submit(request, socket: daemon.socketPath)
        #expect(try await Self.state(of: second, socket: daemon.socketPath) == .queued)

        let dashboard = try await DashboardProcess(directory: directory, socketPath: daemon.socketPath)
        defer { dashboard.child.signal(SIGKILL) }
        try await WebDriverSession.with(directory: directory) { browser in
            try await Self.open(dashboard, in: browser)
            try await browser.navigate(dashboard.base + "/#/submissions/\(second)")
            try await browser.waitFor("the submission view to say queued") {
                try await browser.text(of: "#submission-state") == "queued"
            }
            let cancel = try #require(try await browser.find("#cancel"))
            try await browser.click(cancel)
            // The page may ask first (window.confirm); yes.
            if try await browser.alertText() != nil { try await browser.acceptAlert() }
            try await browser.waitFor("the submission view to say canceled") {
                try await browser.text(of: "#submission-state") == "canceled"
            }
            let actionError = try await browser.text(of: "#action-error") ?? ""
            #expect(actionError.isEmpty, "\(actionError)")
            #expect(try await Self.state(of: second, socket: daemon.socketPath) == .canceled)
            try await Self.saveScreenshot(browser, "dashboard-canceled.png", directory: directory)
        }
        #expect(await dashboard.stop() == 0, "\(dashboard.child.stderr)")
        // The held create is still on the wire: the drain (2 s) ends the stop, reconciliation is another test's.
        _ = await daemon.stop()
        await simulator.stop()
    }

    @Test(.enabled(if: browserTestsRun, "needs /usr/bin/chromium and /usr/bin/chromedriver (or TRAINQ_REQUIRE_BROWSER to fail without)"))
    func thePageSaysSoWhenTrainqdStops() async throws {
        try Self.requireBrowser()
        let directory = try TestDirectory()
        let daemon = try await DaemonProcess(directory: directory)
        defer { daemon.child.signal(SIGKILL) }
        let dashboard = try await DashboardProcess(directory: directory, socketPath: daemon.socketPath)
        defer { dashboard.child.signal(SIGKILL) }

        try await WebDriverSession.with(directory: directory) { browser in
            try await Self.open(dashboard, in: browser)
            let banner = try #require(try await browser.find("#daemon-status"))
            #expect(try await browser.attribute(banner, "hidden") != nil, "the banner shows while trainqd is up")

            #expect(await daemon.stop() == 0)
            try await browser.waitFor("the banner to say trainqd is not reachable") {
                guard let banner = try await browser.find("#daemon-status"),
                    try await browser.attribute(banner, "hidden") == nil
                else { return false }
                let classes = try await browser.attribute(banner, "class") ?? ""
                guard classes.split(separator: " ").contains("down") else { return false }
                return try await browser.text(banner).hasPrefix("trainqd is not reachable")
            }
            try await Self.saveScreenshot(browser, "dashboard-daemon-down.png", directory: directory)
        }
        #expect(await dashboard.stop() == 0, "\(dashboard.child.stderr)")
    }

    // MARK: - Helpers

    /// Opens the printed URL and waits until the token has become the cookie and the queue has loaded.
    static func open(_ dashboard: DashboardProcess, in browser: WebDriverSession) async throws {
        try await browser.navigate(dashboard.entryURL)
        try await browser.waitFor("the redirect to / without the token") {
            try await browser.currentURL == dashboard.base + "/"
        }
        try await browser.waitFor("the queue's depths") {
            try await browser.find("#depths [data-state=\"queued\"] .count") != nil
        }
    }

    static func isSamePage(_ browser: WebDriverSession) async throws -> Bool {
        try await browser.execute("return window.trainqTestMark || null;").stringValue == "same page"
    }

    static func submit(_ request: String, socket: String) async throws -> String {
        let submitted = try await CLI.run(["submit", request, "--job-id", "10", "--json", "--socket", socket])
        try #require(submitted.code == 0, "\(submitted.stderr)")
        return try APICoding.decoder().decode(SubmissionView.self, from: Data(submitted.stdout.utf8)).id
    }

    static func state(of id: String, socket: String) async throws -> SubmissionState {
        let shown = try await CLI.run(["show", id, "--json", "--socket", socket])
        try #require(shown.code == 0, "\(shown.stderr)")
        return try APICoding.decoder().decode(SubmissionView.self, from: Data(shown.stdout.utf8)).state
    }

    /// Polls `trainq show` every 100 ms, at most 300 times.
    static func waitForState(_ wanted: SubmissionState, of id: String, socket: String) async throws {
        var last: SubmissionState?
        for _ in 0..<300 {
            last = try await state(of: id, socket: socket)
            if last == wanted { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("\(id) never became \(wanted); last \(last.map(\.rawValue) ?? "?")")
    }

    /// The token of `<meta name="trainq-csrf" content="...">`, whatever the attributes' order.
    static func csrfToken(in html: String) -> String? {
        guard let metaTag = try? Regex(#"<meta\b[^>]*>"#), let content = try? Regex(#"\bcontent\s*=\s*"([^"]*)""#) else { return nil }
        for match in html.matches(of: metaTag) {
            let tag = html[match.range]
            guard tag.contains(#"name="trainq-csrf""#) else { continue }
            return tag.firstMatch(of: content)?.output[1].substring.map { String($0) }
        }
        return nil
    }

    /// Into `$TRAINQ_SCREENSHOTS` when set (CI keeps that directory), else beside the test's other files.
    static func saveScreenshot(_ browser: WebDriverSession, _ name: String, directory: TestDirectory) async throws {
        let png = try await browser.screenshot()
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name) is not a PNG")
        let environment = ProcessInfo.processInfo.environment["TRAINQ_SCREENSHOTS"] ?? ""
        let folder = environment.isEmpty ? directory.path : environment
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try png.write(to: URL(fileURLWithPath: folder).appendingPathComponent(name))
    }
}
