import Foundation
import JSONTree
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Does trainqd (Swift runtime, NIO, BoringSSL) work under the unit's kernel-level hardening? systemd is
/// not PID 1 here, so `systemd/hardening-probe.py` applies what trainqd.service asks for
/// (`NoNewPrivileges=`, `MemoryDenyWriteExecute=`, `SystemCallFilter=`, `SystemCallErrorNumber=`,
/// `RestrictAddressFamilies=`) and execs a real trainqd, which then submits over TLS to a real
/// `modelarts-sim` behind a TLS terminator and follows the version to `succeeded`.
@Suite(.serialized) struct SystemdHardeningTests {
    static let tools = ["/usr/bin/python3", "/usr/bin/openssl", "/usr/bin/systemd-analyze"]
    static var toolsPresent: Bool { tools.allSatisfy { FileManager.default.isExecutableFile(atPath: $0) } }

    /// Forwards TLS connections on an ephemeral port to the simulator's plain HTTP port.
    static let terminator = #"""
        import socket, ssl, sys, threading
        cert, key, target = sys.argv[1], sys.argv[2], int(sys.argv[3])
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        print("listening on 127.0.0.1:%d" % listener.getsockname()[1], flush=True)
        def pump(source, sink):
            try:
                while True:
                    data = source.recv(65536)
                    if not data:
                        break
                    sink.sendall(data)
            except OSError:
                pass
            finally:
                for end in (source, sink):
                    try: end.close()
                    except OSError: pass
        def serve(client):
            try:
                secure = context.wrap_socket(client, server_side=True)
            except (ssl.SSLError, OSError):
                client.close(); return
            upstream = socket.create_connection(("127.0.0.1", target))
            threading.Thread(target=pump, args=(secure, upstream), daemon=True).start()
            pump(upstream, secure)
        while True:
            connection, _ = listener.accept()
            threading.Thread(target=serve, args=(connection,), daemon=True).start()
        """#

    static var probe: String { SystemdInstallTests.repository + "/systemd/hardening-probe.py" }
    static var unit: String { SystemdInstallTests.repository + "/systemd/trainqd.service" }

    @Test(.enabled(if: toolsPresent, "needs python3, openssl and systemd-analyze"))
    func theProbeRefusesWhatTheUnitForbids() async throws {
        let directory = try TestDirectory()
        // setpriority(2) is in @resources, which the unit takes away; W+X memory is what MDWE forbids.
        let script = """
            import mmap, os, socket
            try:
                os.setpriority(os.PRIO_PROCESS, 0, 5); print("setpriority allowed")
            except PermissionError: print("setpriority refused")
            try:
                socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0); print("netlink allowed")
            except PermissionError: print("netlink refused")
            try:
                mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC); print("wx allowed")
            except PermissionError: print("wx refused")
            socket.socket(socket.AF_UNIX).close(); print("unix allowed")
            """
        let child = try SpawnedProcess("/usr/bin/python3", [Self.probe, Self.unit, "--", "/usr/bin/python3", "-c", script],
                                     directory: directory, name: "probe")
        #expect(await child.wait() == 0, "\(child.stderr)")
        #expect(child.stdout.split(separator: "\n") == ["setpriority refused", "netlink refused", "wx refused", "unix allowed"], "\(child.stdout)\n\(child.stderr)")
    }

    @Test(.enabled(if: toolsPresent, "needs python3, openssl and systemd-analyze"))
    func trainqdSubmitsOverTLSUnderTheUnitsHardening() async throws {
        let directory = try TestDirectory()
        let cert = directory.file("cert.pem")
        let key = directory.file("key.pem")
        let openssl = try ChildProcess("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ], directory: directory, name: "openssl")
        #expect(await openssl.wait() == 0, "\(openssl.stderr)")

        let simulator = try await SimulatorProcess(directory: directory)
        let terminatorScript = directory.file("terminator.py")
        try Self.terminator.write(toFile: terminatorScript, atomically: true, encoding: .utf8)
        let terminator = try SpawnedProcess("/usr/bin/python3", [terminatorScript, cert, key, String(simulator.port)],
                                          directory: directory, name: "terminator")
        var tlsPort: Int?
        for _ in 0..<500 where tlsPort == nil {
            tlsPort = terminator.stdout.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if tlsPort == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let port = try #require(tlsPort, "the TLS terminator did not start: \(terminator.stderr)")

        var config = try simulator.daemonConfiguration(in: directory, extra: """
            track:
              min_interval: 100ms
              max_interval: 500ms
            """)
        var text = try String(contentsOfFile: config, encoding: .utf8)
        text = text.replacingOccurrences(of: "endpoint: \(simulator.endpoint)", with: "endpoint: https://127.0.0.1:\(port)\n  ca_file: \(cert)")
        config = directory.file("hardened.yaml")
        try text.write(toFile: config, atomically: true, encoding: .utf8)

        let socket = directory.file("trainq.sock")
        let daemon = try SpawnedProcess("/usr/bin/python3", [
            Self.probe, Self.unit, "--", BuiltProducts.path("trainqd"),
            "--config", config, "--socket", socket, "--database", directory.file("trainq.db"), "--log-level", "debug",
        ], directory: directory, name: "trainqd")
        var serving = false
        for _ in 0..<600 where !serving && daemon.isRunning {
            serving = try await CLI.run(["status", "--socket", socket]).code == 0
            if !serving { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(serving, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("applied NoNewPrivileges, MemoryDenyWriteExecute, SystemCallFilter"), "\(daemon.stderr)")

        let request = try SeedRequest.write(in: directory)
        let submit = try await CLI.run(["submit", request, "--job-id", "10", "--socket", socket, "--wait"], timeout: .seconds(120))
        #expect(submit.code == 0, "\(submit.stdout)\n\(submit.stderr)\n\(daemon.stderr)")
        let ledger = try await simulator.ledger()
        #expect(ledger["versions"]?.arrayValue?.count == 1, "one version, created over TLS: \(ledger)")

        daemon.signal(SIGTERM)
        #expect(await daemon.wait() == 0, "\(daemon.stderr)")
        terminator.signal(SIGTERM)
        await terminator.wait()
        await simulator.stop()
    }
}
