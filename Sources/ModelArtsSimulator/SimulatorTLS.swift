import HummingbirdTLS
import NIOSSL

/// Serve HTTPS with this certificate chain and key (PEM files), as the real endpoint does; clients
/// then need the certificate's CA (for a self-signed certificate: the certificate itself) as trust root.
public struct SimulatorTLS: Sendable, Hashable {
    public var certificateChainPath: String
    public var privateKeyPath: String

    public init(certificateChainPath: String, privateKeyPath: String) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
    }

    /// A certificate or key that cannot be loaded, named by its file.
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    func serverConfiguration() throws(LoadError) -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateChainPath)
        } catch {
            throw LoadError(description: "cannot load the TLS certificate chain from \(certificateChainPath): \(error)")
        }
        guard !chain.isEmpty else {
            throw LoadError(description: "no certificate in \(certificateChainPath)")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)
        } catch {
            throw LoadError(description: "cannot load the TLS private key from \(privateKeyPath): \(error)")
        }
        return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    }
}
