import Foundation
import ModelArts
import ModelArtsSimulator
import Testing

/// HTTPS like the real endpoint: our client trusts the simulator's self-signed certificate only when it
/// is given as the CA file.
@Suite struct TLSTests {
    /// A self-signed certificate for 127.0.0.1, made with the openssl command line tool.
    static func makeCertificate(in directory: URL) throws -> SimulatorTLS {
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "openssl could not make a test certificate")
        return SimulatorTLS(certificateChainPath: certificate, privateKeyPath: key)
    }

    static func withTemporaryDirectory<Result>(_ body: (URL) async throws -> Result) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("modelarts-sim-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory)
    }

    static func client(port: Int, caFile: String?) throws -> ModelArtsClient {
        try ModelArtsClient(configuration: ModelArtsClientConfiguration(
            endpoint: try #require(URL(string: "https://127.0.0.1:\(port)")),
            projectID: TestHTTP.project,
            authentication: .accessKey(AKSKSigner(accessKey: ClientTestSupport.accessKey, secretKey: ClientTestSupport.secretKey)),
            connectTimeout: .seconds(2), requestTimeout: .seconds(5), caFile: caFile))
    }

    @Test func theClientTrustsTheSimulatorThroughItsCAFileOnly() async throws {
        try await Self.withTemporaryDirectory { directory in
            let tls = try Self.makeCertificate(in: directory)
            let configuration = SimulatorConfiguration(
                accessKeys: [ClientTestSupport.accessKey: ClientTestSupport.secretKey], tls: tls)
            try await ModelArtsSimulator.withRunning(configuration) { _, port in
                let trusting = try Self.client(port: port, caFile: tls.certificateChainPath)
                let list = await ClientTestSupport.failure { () async throws(ModelArtsError) in try await trusting.listVersions(jobID: 10) }
                try await trusting.shutdown()
                #expect(list == nil, "\(String(describing: list))")

                let untrusting = try Self.client(port: port, caFile: nil)
                let error = await ClientTestSupport.failure { () async throws(ModelArtsError) in try await untrusting.listVersions(jobID: 10) }
                try await untrusting.shutdown()
                #expect(error?.kind == .transportNotSent, "\(String(describing: error))")
            }
        }
    }

    @Test func aMissingCertificateStopsTheSimulatorWithANamedFile() async throws {
        let configuration = SimulatorConfiguration(tls: SimulatorTLS(certificateChainPath: "/nonexistent/cert.pem", privateKeyPath: "/nonexistent/key.pem"))
        await #expect {
            try await ModelArtsSimulator.withRunning(configuration) { _, _ in }
        } throws: { error in
            "\(error)".contains("/nonexistent/cert.pem")
        }
    }
}
