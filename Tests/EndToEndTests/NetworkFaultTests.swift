import AsyncHTTPClient
import Foundation
import JSONTree
import ModelArts
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization
import Testing
import TrainQAPI

#if canImport(Glibc)
import Glibc
#endif

/// The ModelArts client against `modelarts-sim` on an address of its own, in a network namespace the test
/// makes, with faults made by iptables rules inside that namespace (never in the root namespace): answers
/// that vanish after the request arrived, requests that never arrive, a SYN nobody answers, a TLS
/// handshake cut after the ClientHello, and a bandwidth-limited link (tc `tbf`; `netem` is not available).
///
/// The rule (`ErrorClassification`, `HTTPTransport`): a failure before the request head was handed to the
/// connection is *not sent* (`.transient`); any failure after it is *maybe sent*, which for a create is
/// `.unknownOutcome` (reconcile before sending again) and for a read `.transient`. The client cannot see
/// whether bytes it wrote reached the server, so a request dropped on the way is also `.unknownOutcome`:
/// the kernel keeps retransmitting it after the client gave up, and it may still land (the test watches for it).
///
/// Needs root, `ip` (iproute2) and the nf_tables `iptables`; `tc` for the bandwidth test, `openssl` for the
/// TLS one. Without them the tests are skipped, saying why.
@Suite(.serialized, .enabled(if: NetworkTools.available, "needs root and iproute2 (ip) and iptables (nf_tables)"))
struct NetworkFaultTests {
    static let job: Int64 = 10

    static func seedRequest() throws -> CreateVersionRequest {
        try CreateVersionRequest.validate(json: Data(SeedRequest.json.utf8)).get()
    }

    // MARK: - Answers lost, requests lost

    /// The request reaches the simulator, which creates the version; every byte of its answer is dropped.
    @Test func aCreateWhoseAnswerIsDroppedIsAnUnknownOutcomeAndCreatedOnce() async throws {
        let lab = try await NetworkLab.start()
        defer { lab.tearDown() }
        let request = try Self.seedRequest()
        try await lab.install(.dropResponsePayload)

        let (error, took) = try await NetworkLab.withClient(lab, requestTimeout: .seconds(2)) { client in
            await NetworkLab.timedFailure { () async throws(ModelArtsError) in
                try await client.createVersion(jobID: Self.job, request: request)
            }
        }
        print("dropped answer: \(took), \(String(describing: error))")
        let failure = try #require(error, "the create succeeded although its answer was dropped")
        #expect(failure.kind == .transportMaybeSent, "\(failure)")
        #expect(failure.errorClass == .unknownOutcome, "\(failure)")
        #expect(took >= .milliseconds(1_800) && took < .seconds(6), "the request timeout is 2 s, the call took \(took)")
        #expect(try await lab.packets(in: "OUTPUT", target: "DROP") > 0, "the rule dropped no answer")

        // The ledger (read on the port without faults, while the rule is still on): created exactly once.
        var ledger = try await lab.ledger()
        #expect(NetworkLab.versions(ledger).count == 1, "\(ledger)")
        #expect(NetworkLab.requests(ledger, "create") == 1, "\(ledger)")

        // The answer's retransmissions reach the client after the rule goes: still one version.
        try await lab.clearFaults()
        try await Task.sleep(for: .seconds(1))
        ledger = try await lab.ledger()
        #expect(NetworkLab.versions(ledger).count == 1, "\(ledger)")
        #expect(NetworkLab.requests(ledger, "create") == 1, "\(ledger)")
    }

    /// The connection is set up, but every byte of the request is dropped on its way in. The client wrote
    /// the head to the socket, so by the documented rule it cannot call the create "not sent".
    @Test func aCreateWhoseRequestBytesAreDroppedIsAnUnknownOutcomeAndMayLandLater() async throws {
        let lab = try await NetworkLab.start()
        defer { lab.tearDown() }
        let request = try Self.seedRequest()
        try await lab.install(.dropRequestPayload)

        let (error, took) = try await NetworkLab.withClient(lab, requestTimeout: .seconds(2)) { client in
            await NetworkLab.timedFailure { () async throws(ModelArtsError) in
                try await client.createVersion(jobID: Self.job, request: request)
            }
        }
        print("dropped request: \(took), \(String(describing: error))")
        let failure = try #require(error, "the create succeeded although its request was dropped")
        // ErrorClassification: written to the connection = maybe sent = unknown outcome for a create.
        #expect(failure.kind == .transportMaybeSent, "\(failure)")
        #expect(failure.errorClass == .unknownOutcome, "\(failure)")
        #expect(took >= .milliseconds(1_800) && took < .seconds(6), "the request timeout is 2 s, the call took \(took)")
        #expect(try await lab.packets(in: "INPUT", target: "DROP") > 0, "the rule dropped no request bytes")

        // Nothing arrived while the rule was on.
        var ledger = try await lab.ledger()
        #expect(NetworkLab.requests(ledger, "create") == 0, "\(ledger)")
        #expect(NetworkLab.versions(ledger).isEmpty, "\(ledger)")

        // Without the rule, the client's kernel may still deliver the request it keeps retransmitting after
        // the client closed the connection: that is why this is an unknown outcome. Never more than once.
        try await lab.clearFaults()
        let deadline = ContinuousClock.now + .seconds(7)
        while ContinuousClock.now < deadline {
            ledger = try await lab.ledger()
            if !NetworkLab.versions(ledger).isEmpty { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        try await Task.sleep(for: .milliseconds(300))
        ledger = try await lab.ledger()
        let landed = NetworkLab.versions(ledger).count
        print("dropped request: \(landed) version(s) after the rule was removed")
        #expect(landed <= 1, "\(ledger)")
        #expect(NetworkLab.requests(ledger, "create") <= 1, "\(ledger)")
    }

    // MARK: - Nothing sent

    /// SYNs are dropped: no connection, so nothing was sent, and the call ends at the connect timeout.
    @Test func aConnectWithoutAnswerIsTransientWithinTheConnectTimeout() async throws {
        let lab = try await NetworkLab.start()
        defer { lab.tearDown() }
        let request = try Self.seedRequest()
        try await lab.install(.dropSYN)

        let (error, took) = try await NetworkLab.withClient(lab, connectTimeout: .seconds(1), requestTimeout: .seconds(8)) { client in
            await NetworkLab.timedFailure { () async throws(ModelArtsError) in
                try await client.createVersion(jobID: Self.job, request: request)
            }
        }
        print("dropped SYN: \(took), \(String(describing: error))")
        let failure = try #require(error, "the create succeeded although SYNs were dropped")
        #expect(failure.kind == .transportNotSent, "\(failure)")
        #expect(failure.errorClass == .transient, "\(failure)")
        #expect(took >= .milliseconds(800) && took < .seconds(3), "the connect timeout is 1 s, the call took \(took)")
        #expect(try await lab.packets(in: "INPUT", target: "DROP") > 0, "the rule dropped no SYN")
        let ledger = try await lab.ledger()
        #expect(NetworkLab.requests(ledger, "create") == 0, "\(ledger)")
        #expect(NetworkLab.versions(ledger).isEmpty, "\(ledger)")
    }

    /// HTTPS with a self-signed certificate the client trusts through `caFile`; the ClientHello arrives and
    /// then the connection goes silent both ways. The handshake never finishes, so nothing was sent.
    @Test(.enabled(if: NetworkTools.openssl != nil, "needs openssl to make a certificate"))
    func aTLSHandshakeCutAfterTheClientHelloIsTransient() async throws {
        let lab = try await NetworkLab.start(tls: true)
        defer { lab.tearDown() }
        let request = try Self.seedRequest()
        let caFile = try #require(lab.certificatePath)

        // Without the fault the same configuration works: the certificate, its IP address and the port do.
        let before = try await NetworkLab.withClient(lab, caFile: caFile) { client in
            try await client.listVersions(jobID: Self.job)
        }

        try await lab.install(.cutAfterTLSClientHello)
        let (error, took) = try await NetworkLab.withClient(lab, connectTimeout: .seconds(1), requestTimeout: .seconds(8), caFile: caFile) { client in
            await NetworkLab.timedFailure { () async throws(ModelArtsError) in
                try await client.createVersion(jobID: Self.job, request: request)
            }
        }
        print("TLS cut after ClientHello: \(took), \(String(describing: error))")
        let failure = try #require(error, "the create succeeded although the handshake was cut")
        #expect(failure.kind == .transportNotSent, "\(failure)")
        #expect(failure.errorClass == .transient, "\(failure)")
        // The handshake is part of making the connection: it is bounded by the connect timeout.
        #expect(took >= .milliseconds(800) && took < .seconds(3), "the connect timeout is 1 s, the call took \(took)")
        #expect(try await lab.packets(in: "INPUT", target: "CONNMARK") >= 1, "no ClientHello was seen")
        #expect(try await lab.packets(in: "OUTPUT", target: "DROP") >= 1, "no ServerHello was dropped")

        // Nothing was created.
        try await lab.clearFaults()
        let after = try await NetworkLab.withClient(lab, caFile: caFile) { client in
            try await client.listVersions(jobID: Self.job)
        }
        #expect(Set(after.versions.compactMap(\.versionID)) == Set(before.versions.compactMap(\.versionID)))
    }

    // MARK: - A slow link

    /// Token bucket at 8 kbit/s (1000 bytes/s) with a 1540-byte bucket on the simulator's side of the link:
    /// an answer passes at once up to the bucket, the rest at 1000 bytes/s. A job with four versions lists
    /// in about 3.2 KB, which took about 2.2 s by hand. (Answers past about 6.5 KB overflow the 5 s queue,
    /// are dropped and retransmitted with backoff, and take 6 to 17 s: kept well below that.) A create's
    /// answer is about 300 bytes and is not slowed at all, so the slow call here is a list.
    @Test(.enabled(if: NetworkTools.tc != nil, "needs tc (iproute2) for a token-bucket link"))
    func slowAnswersOnABandwidthLimitedLinkSucceedWithinTheTimeout() async throws {
        let lab = try await NetworkLab.start(timeScale: 1)
        defer { lab.tearDown() }
        let request = try Self.seedRequest()
        let created = try await NetworkLab.withClient(lab) { client in
            var ids: [Int64] = []
            for _ in 0..<3 { ids.append(try await client.createVersion(jobID: Self.job, request: request).versionID) }
            return ids
        }

        try await lab.limitBandwidth()
        let (listed, took) = try await NetworkLab.withClient(lab, requestTimeout: .seconds(10)) { client in
            let started = ContinuousClock.now
            let list = try await client.listVersions(jobID: Self.job, page: 1, perPage: 100)
            return (list, ContinuousClock.now - started)
        }
        print("list over the slow link: \(took)")
        #expect(Set(listed.versions.compactMap(\.versionID)).isSuperset(of: created))
        #expect(took >= .seconds(1), "the link did not slow the answer: \(took)")
        #expect(took < .seconds(10))

        // The request timeout covers the whole answer: the same list with 1 s fails, as a read (transient).
        try await lab.limitBandwidth()  // a full bucket again, as for the call above
        let (error, tookShort) = try await NetworkLab.withClient(lab, requestTimeout: .seconds(1)) { client in
            await NetworkLab.timedFailure { () async throws(ModelArtsError) in
                try await client.listVersions(jobID: Self.job, page: 1, perPage: 100)
            }
        }
        print("list over the slow link with 1 s: \(tookShort), \(String(describing: error))")
        let failure = try #require(error, "a 1 s list finished over a link that needs about 2 s")
        #expect(failure.kind == .transportMaybeSent, "\(failure)")
        #expect(failure.errorClass == .transient, "\(failure)")
        #expect(tookShort < .seconds(4))
    }

    // MARK: - The daemon: nothing duplicated

    /// `trainqd` against the namespaced simulator: the create's answer is lost, the reconciler's listings
    /// are lost too while the rule is on, nothing is sent twice; once the rule goes, the listing finds the
    /// version, and the submission tracks it to `succeeded`. One version in the ledger, one attempt.
    @Test func aDaemonAdoptsTheVersionWhoseAnswerWasLostWithoutADuplicate() async throws {
        let lab = try await NetworkLab.start(timeScale: 60)
        defer { lab.tearDown() }
        let config = try lab.daemonConfiguration(extra: """
            submit:
              base_delay: 20ms
              max_delay: 300ms
              reconcile_waits: [500ms, 1s, 2s]
            track:
              min_interval: 100ms
              max_interval: 300ms
            """)
        try await lab.install(.dropResponsePayload)
        let daemon = try await DaemonProcess(directory: lab.directory, extraArguments: ["--config", config])
        defer { daemon.child.signal(SIGKILL) }

        let id = try await TrackingSteps.submit(daemon, job: Self.job, in: lab.directory)
        try await lab.waitForLedger("the create to reach the simulator") { NetworkLab.requests($0, "create") >= 1 }
        let lost = try await TrackingSteps.waitUntil(daemon, id, timeout: .seconds(15), "went to reconciling") { $0.state == .reconciling }
        #expect(lost.attempts.count == 1)
        #expect(lost.attempts.first?.outcome == "unknown_outcome", "\(lost.attempts)")

        // The reconciler lists (its answers are lost as well) and never creates again meanwhile.
        try await lab.waitForLedger("two listings to reach the simulator") { NetworkLab.requests($0, "list") >= 2 }
        var ledger = try await lab.ledger()
        #expect(NetworkLab.versions(ledger).count == 1, "\(ledger)")
        #expect(NetworkLab.requests(ledger, "create") == 1, "\(ledger)")
        let still = try await TrackingSteps.show(daemon, id)
        #expect(still.state == .reconciling, "\(still.state) \(still.reason ?? "")")

        try await lab.clearFaults()
        let done = try await TrackingSteps.waitUntil(daemon, id, timeout: .seconds(30), "succeeded") { $0.state == .succeeded }
        ledger = try await lab.ledger()
        let versions = NetworkLab.versions(ledger)
        #expect(versions.count == 1, "\(ledger)")
        #expect(NetworkLab.requests(ledger, "create") == 1, "\(ledger)")
        #expect(done.versionID != nil && done.versionID == versions.first?["version_id"]?.int64Value, "\(ledger)")
        #expect(done.attempts.count == 1, "\(done.attempts)")
        let states = done.history.map(\.state).reduce(into: [SubmissionState]()) { if $0.last != $1 { $0.append($1) } }
        if let reconciling = states.firstIndex(of: .reconciling), let tracking = states.firstIndex(of: .tracking) {
            #expect(reconciling < tracking, "\(states)")
        } else {
            Issue.record("the history lacks reconciling or tracking: \(states)")
        }
        #expect(await daemon.stop() == 0)
    }
}

// MARK: - The tools

/// The commands these tests drive, looked up once; nil when missing.
enum NetworkTools {
    static func find(_ name: String) -> String? {
        ["/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"].map { $0 + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let ip = find("ip")
    /// The nf_tables iptables, by that name where it exists, so the legacy one is never run; a plain
    /// `iptables` only when it resolves to the nft multi-binary.
    static let iptables: String? = find("iptables-nft") ?? find("iptables").flatMap { path in
        URL(fileURLWithPath: path).resolvingSymlinksInPath().lastPathComponent.contains("nft") ? path : nil
    }
    static let tc = find("tc")
    static let openssl = find("openssl")
    static let available = geteuid() == 0 && ip != nil && iptables != nil
}

/// Short commands (`ip`, `iptables`, `tc`, `openssl`) run to the end with their output captured.
enum LabCommand {
    struct Result {
        var code: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a command, waiting at most `timeout`.
    static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(15)) async throws -> Result {
        let directory = try TestDirectory()
        let child = try ChildProcess(executable, arguments, directory: directory, name: "command")
        let code = await child.wait(timeout: timeout)
        return Result(code: code, stdout: child.stdout, stderr: child.stderr)
    }

    /// Runs a command that must succeed.
    @discardableResult
    static func check(_ executable: String, _ arguments: [String]) async throws -> String {
        let result = try await run(executable, arguments)
        guard result.code == 0 else {
            throw HarnessError("\(([executable] + arguments).joined(separator: " ")) exited \(result.code): \(result.stderr)")
        }
        return result.stdout
    }

    /// The same, blocking the calling thread: for teardown from `defer` and `deinit`, where nothing can be
    /// awaited. These commands take milliseconds; the wait is bounded all the same.
    @discardableResult
    static func runBlocking(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(10)) -> Result? {
        guard let directory = try? TestDirectory(),
            let child = try? ChildProcess(executable, arguments, directory: directory, name: "command")
        else { return nil }
        SpawnedProcess.waitBlocking(child, timeout: timeout)
        return Result(code: child.terminationStatus, stdout: child.stdout, stderr: child.stderr)
    }
}

extension SpawnedProcess {
    /// Waits for the child, blocking; kills it when the time is up (and then waits for that, bounded too).
    static func waitBlocking(_ child: SpawnedProcess, timeout: Duration) {
        let deadline = ContinuousClock.now + timeout
        while child.isRunning, ContinuousClock.now < deadline { usleep(2_000) }
        guard child.isRunning else { return }
        child.signal(SIGKILL)
        let killDeadline = ContinuousClock.now + .seconds(5)
        while child.isRunning, ContinuousClock.now < killDeadline { usleep(2_000) }
    }
}

// MARK: - The lab

/// The faults, as iptables rules inside the lab's namespace. Each matches only connections made to the
/// fault port (`-m conntrack --ctorigdstport`: the port before the DNAT), so the control API on the plain
/// port keeps working while a fault is on.
enum NetworkFault {
    /// No connection: the SYN is dropped.
    case dropSYN
    /// Connected, but every segment carrying request bytes is dropped on its way in.
    case dropRequestPayload
    /// The request arrives; every segment carrying answer bytes is dropped on its way out.
    case dropResponsePayload
    /// The TLS ClientHello arrives, and from then on the connection is silent both ways.
    case cutAfterTLSClientHello

    /// u32: the IP header length (`0>>22&0x3C`), to the TCP header, its length (`@12>>26&0x3C`), to the
    /// payload, and "its first byte exists" (`@0>>24=0:255`): only segments with at least one data byte.
    static let payload = "0>>22&0x3C@12>>26&0x3C@0>>24=0:255"
    /// The payload starts a TLS handshake record (0x16) holding a ClientHello (byte 5 is 0x01).
    static let clientHello = "0>>22&0x3C@12>>26&0x3C@0>>24=0x16&&0>>22&0x3C@12>>26&0x3C@5>>24=0x01"

    /// `iptables -A` arguments, one array per rule, in order.
    func rules(faultPort: Int) -> [[String]] {
        let connection = ["-p", "tcp", "-m", "conntrack", "--ctorigdstport", String(faultPort)]
        switch self {
        case .dropSYN:
            return [["INPUT", "-p", "tcp", "--syn", "-m", "conntrack", "--ctorigdstport", String(faultPort), "-j", "DROP"]]
        case .dropRequestPayload:
            return [["INPUT"] + connection + ["-m", "u32", "--u32", Self.payload, "-j", "DROP"]]
        case .dropResponsePayload:
            return [["OUTPUT"] + connection + ["-m", "u32", "--u32", Self.payload, "-j", "DROP"]]
        case .cutAfterTLSClientHello:
            // The first rule drops what follows the ClientHello in; the second marks the connection on the
            // ClientHello itself (which passes); the third drops everything out, the ServerHello first.
            return [
                ["INPUT"] + connection + ["-m", "connmark", "--mark", "1", "-j", "DROP"],
                ["INPUT"] + connection + ["-m", "u32", "--u32", Self.clientHello, "-j", "CONNMARK", "--set-mark", "1"],
                ["OUTPUT"] + connection + ["-m", "connmark", "--mark", "1", "-j", "DROP"],
            ]
        }
    }
}

/// One test's own network: a namespace holding one end of a veth pair and `modelarts-sim` listening on
/// its address (`ip netns exec`), the other end in the root namespace with the peer address of a /30 in
/// 10.201.0.0/16. Inside the namespace, a DNAT rule forwards `faultPort` to the simulator's `port`;
/// faults are iptables rules on `faultPort` connections, and tc on the namespace's end. Nothing is
/// changed in the root namespace but the one veth end and its address, and `ip netns del` removes it all.
///
/// `tearDown()` kills the simulator and deletes the namespace (and the veth, if it outlived it); call it
/// from `defer`. It runs again from `deinit`, and does nothing the second time.
final class NetworkLab: @unchecked Sendable {
    static let port = 8080
    static let faultPort = 9080
    static let projectID = "0123456789abcdef0123456789abcdef"

    let directory: TestDirectory
    let namespace: String
    let hostInterface: String
    let namespaceInterface: String
    let hostAddress: String
    let serverAddress: String
    let tls: Bool
    private(set) var certificatePath: String?
    private let state = Mutex(State())

    private struct State {
        var simulator: ChildProcess?
        var created = false
        var tornDown = false
    }

    private static let sequence = Mutex(0)

    private init(subnet: (Int, Int), tls: Bool) throws {
        let number = Self.sequence.withLock { value in
            value += 1
            return value
        }
        let pid = Int(getpid())
        directory = try TestDirectory()
        namespace = "tqnf-\(pid)-\(number)"
        // Interface names have at most 15 characters.
        hostInterface = "tq\(pid % 1_000_000)x\(number % 1000)a"
        namespaceInterface = "tq\(pid % 1_000_000)x\(number % 1000)b"
        hostAddress = "10.201.\(subnet.0).\(subnet.1 + 1)"
        serverAddress = "10.201.\(subnet.0).\(subnet.1 + 2)"
        self.tls = tls
    }

    deinit {
        tearDown()
    }

    /// Makes the namespace, starts the simulator in it and checks the way to it; tears everything down
    /// again when any step fails.
    static func start(timeScale: Double = 60, tls: Bool = false) async throws -> NetworkLab {
        try await reapStaleNamespaces()
        let subnet = try await freeSubnet()
        let lab = try NetworkLab(subnet: subnet, tls: tls)
        do {
            try await lab.setUp(timeScale: timeScale)
            return lab
        } catch {
            let simulatorOutput = lab.state.withLock { $0.simulator }.map { "\nmodelarts-sim: \($0.stderr.suffix(2000))" } ?? ""
            lab.tearDown()
            throw HarnessError("setting up network namespace \(lab.namespace) failed: \(error)\(simulatorOutput)")
        }
    }

    private func setUp(timeScale: Double) async throws {
        let ip = try Self.tool(NetworkTools.ip, "ip")
        state.withLock { $0.created = true }
        try await LabCommand.check(ip, ["netns", "add", namespace])
        try await LabCommand.check(ip, ["link", "add", hostInterface, "type", "veth", "peer", "name", namespaceInterface, "netns", namespace])
        try await LabCommand.check(ip, ["addr", "add", "\(hostAddress)/30", "dev", hostInterface])
        try await LabCommand.check(ip, ["link", "set", hostInterface, "up"])
        try await LabCommand.check(ip, ["-n", namespace, "addr", "add", "\(serverAddress)/30", "dev", namespaceInterface])
        try await LabCommand.check(ip, ["-n", namespace, "link", "set", namespaceInterface, "up"])
        try await LabCommand.check(ip, ["-n", namespace, "link", "set", "lo", "up"])
        try await iptables(["-t", "nat", "-A", "PREROUTING", "-p", "tcp", "-d", serverAddress, "--dport", String(Self.faultPort),
                            "-j", "DNAT", "--to-destination", "\(serverAddress):\(Self.port)"])

        var tlsArguments: [String] = []
        if tls {
            let openssl = try Self.tool(NetworkTools.openssl, "openssl")
            let certificate = directory.file("cert.pem")
            let key = directory.file("key.pem")
            try await LabCommand.check(openssl, [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=\(serverAddress)",
                "-addext", "subjectAltName=IP:\(serverAddress)",
            ])
            certificatePath = certificate
            tlsArguments = ["--tls-cert", certificate, "--tls-key", key]
        }

        let simulator = try ChildProcess(
            ip,
            ["netns", "exec", namespace, BuiltProducts.path("modelarts-sim"), "--listen", "\(serverAddress):\(Self.port)",
             "--ak", SimulatorProcess.accessKey, "--sk", SimulatorProcess.secretKey, "--time-scale", String(timeScale)]
                + tlsArguments,
            directory: directory, name: "modelarts-sim")
        state.withLock { $0.simulator = simulator }
        let deadline = ContinuousClock.now + .seconds(30)
        while !simulator.stdout.contains("listening on") {
            guard simulator.isRunning, ContinuousClock.now < deadline else {
                throw HarnessError("modelarts-sim did not start in \(namespace)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Both ways in work (the control API has no TLS client here, so only without TLS).
        if !tls {
            _ = try await control(.GET, "/_sim/ledger", port: Self.faultPort)
            _ = try await control(.GET, "/_sim/ledger", port: Self.port)
        }
    }

    /// Kills the simulator, deletes the namespace and, if it is still there, the root end of the veth.
    func tearDown() {
        let (simulator, created) = state.withLock { current -> (ChildProcess?, Bool) in
            guard !current.tornDown else { return (nil, false) }
            current.tornDown = true
            return (current.simulator, current.created)
        }
        // First the process: a namespace with a process in it outlives its name, and the veth with it.
        if let simulator {
            simulator.signal(SIGKILL)
            SpawnedProcess.waitBlocking(simulator, timeout: .seconds(5))
        }
        guard created, let ip = NetworkTools.ip else { return }
        LabCommand.runBlocking(ip, ["netns", "del", namespace])
        if LabCommand.runBlocking(ip, ["link", "show", "dev", hostInterface])?.code == 0 {
            LabCommand.runBlocking(ip, ["link", "del", "dev", hostInterface])
        }
    }

    // MARK: Faults

    func install(_ fault: NetworkFault) async throws {
        for rule in fault.rules(faultPort: Self.faultPort) {
            try await iptables(["-A"] + rule)
        }
    }

    /// Removes every fault rule (the filter table; the DNAT rule is in the nat table and stays).
    func clearFaults() async throws {
        try await iptables(["-F"])
    }

    /// Packets counted by the rules of `chain` with this target.
    func packets(in chain: String, target: String) async throws -> Int {
        let listing = try await iptables(["-n", "-v", "-x", "-L", chain])
        var total = 0
        for line in listing.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count > 2, let packets = Int(fields[0]), fields[2] == target else { continue }
            total += packets
        }
        return total
    }

    /// A token bucket on the namespace's end of the link, i.e. on the simulator's answers: 8 kbit/s,
    /// 1540-byte bucket, 5 s of queue. Replaces an earlier one, so the bucket starts full.
    func limitBandwidth() async throws {
        let tc = try Self.tool(NetworkTools.tc, "tc")
        _ = try await LabCommand.run(tc, ["-n", namespace, "qdisc", "del", "dev", namespaceInterface, "root"])
        try await LabCommand.check(tc, ["-n", namespace, "qdisc", "add", "dev", namespaceInterface, "root",
                                     "tbf", "rate", "8kbit", "burst", "1540", "latency", "5s"])
    }

    @discardableResult
    private func iptables(_ arguments: [String]) async throws -> String {
        let ip = try Self.tool(NetworkTools.ip, "ip")
        let binary = try Self.tool(NetworkTools.iptables, "iptables (nf_tables)")
        return try await LabCommand.check(ip, ["netns", "exec", namespace, binary, "-w"] + arguments)
    }

    // MARK: The simulator

    /// Where the client goes: the fault port.
    var endpoint: URL { URL(string: "\(tls ? "https" : "http")://\(serverAddress):\(Self.faultPort)")! }

    func ledger() async throws -> JSONValue {
        try JSONValue.parse(try await control(.GET, "/_sim/ledger", port: Self.port))
    }

    /// Reads the ledger until `condition` holds; about 15 s at most.
    func waitForLedger(_ what: String, _ condition: (JSONValue) -> Bool) async throws {
        var ledger = JSONValue.null
        for _ in 0..<300 {
            ledger = try await self.ledger()
            if condition(ledger) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("waited in vain for \(what); ledger: \(ledger)")
    }

    static func versions(_ ledger: JSONValue) -> [JSONValue] {
        ledger["versions"]?.arrayValue ?? []
    }

    static func requests(_ ledger: JSONValue, _ name: String) -> Int {
        Int(ledger["requests"]?[name]?.int64Value ?? 0)
    }

    private func control(_ method: HTTPMethod, _ path: String, port: Int) async throws -> Data {
        var request = HTTPClientRequest(url: "http://\(serverAddress):\(port)\(path)")
        request.method = method
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw HarnessError("simulator control \(method) \(path) answered \(response.status): \(String(buffer: bytes))")
        }
        return Data(buffer: bytes)
    }

    /// A trainqd configuration for the simulator's fault port, with its AK/SK in files.
    func daemonConfiguration(requestTimeout: String = "1s", extra: String = "") throws -> String {
        try SimulatorProcess.daemonConfiguration(
            endpoint: endpoint.absoluteString, in: directory, requestTimeout: requestTimeout,
            modelArtsExtra: "\n  connect_timeout: 1s", extra: extra)
    }

    // MARK: The client

    /// A signed client for the fault port, shut down after `body` whatever happens.
    static func withClient<Result>(
        _ lab: NetworkLab, connectTimeout: Duration = .seconds(2), requestTimeout: Duration = .seconds(5), caFile: String? = nil,
        _ body: (ModelArtsClient) async throws -> Result
    ) async throws -> Result {
        let client = try ModelArtsClient(configuration: ModelArtsClientConfiguration(
            endpoint: lab.endpoint, projectID: projectID,
            authentication: .accessKey(AKSKSigner(accessKey: SimulatorProcess.accessKey, secretKey: SimulatorProcess.secretKey)),
            connectTimeout: connectTimeout, requestTimeout: requestTimeout, caFile: caFile,
            rate: 1_000, burst: 1_000, concurrency: 4))
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// The error a call failed with (nil when it succeeded), and how long it took.
    static func timedFailure<Value>(_ call: () async throws(ModelArtsError) -> Value) async -> (ModelArtsError?, Duration) {
        let started = ContinuousClock.now
        do {
            _ = try await call()
            return (nil, ContinuousClock.now - started)
        } catch {
            return (error, ContinuousClock.now - started)
        }
    }

    // MARK: Addresses and leftovers

    private static func tool(_ path: String?, _ name: String) throws -> String {
        guard let path else { throw HarnessError("\(name) is not installed") }
        return path
    }

    /// A /30 in 10.201.0.0/16 that no address or route of the root namespace uses: (third octet, base of
    /// the fourth).
    private static func freeSubnet() async throws -> (Int, Int) {
        let ip = try tool(NetworkTools.ip, "ip")
        for _ in 0..<50 {
            let third = Int.random(in: 0...255)
            let base = Int.random(in: 0..<64) * 4
            let addresses = try await LabCommand.check(ip, ["-4", "-o", "addr", "show"])
            let routes = try await LabCommand.check(ip, ["-4", "-o", "route", "show"])
            let taken = (1...2).contains { addresses.contains(" 10.201.\(third).\(base + $0)/") }
                || routes.contains("10.201.\(third).\(base)/30")
            if !taken { return (third, base) }
        }
        throw HarnessError("no free /30 in 10.201.0.0/16")
    }

    /// Namespaces of ours (`tqnf-PID-N`) left behind by a test process that no longer exists (killed before
    /// its teardown ran); deleting one deletes its veth pair. Once per process.
    private static let reaped = Mutex(false)

    private static func reapStaleNamespaces() async throws {
        let first = reaped.withLock { done -> Bool in
            if done { return false }
            done = true
            return true
        }
        guard first else { return }
        let ip = try tool(NetworkTools.ip, "ip")
        let listing = try await LabCommand.check(ip, ["netns", "list"])
        for line in listing.split(separator: "\n") {
            guard let name = line.split(separator: " ").first, name.hasPrefix("tqnf-") else { continue }
            let parts = name.split(separator: "-")
            guard parts.count == 3, let pid = pid_t(parts[1]), pid != getpid() else { continue }
            if kill(pid, 0) == -1, errno == ESRCH {
                _ = try await LabCommand.run(ip, ["netns", "del", String(name)])
            }
        }
    }
}
