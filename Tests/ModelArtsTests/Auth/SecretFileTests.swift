import Foundation
import Testing
@testable import ModelArts

@Suite struct SecretFileTests {
    /// One temporary directory per test.
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("modelarts-secret-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func trailingNewlineIsRemoved() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let ak = directory.appendingPathComponent("ak"), sk = directory.appendingPathComponent("sk")
        try Data("AKPUBLIC\n".utf8).write(to: ak)
        try Data("  SKsecret-value\r\n".utf8).write(to: sk)
        let signer = try AKSKSigner.fromFiles(accessKey: ak.path, secretKey: sk.path)
        #expect(signer.accessKey == "AKPUBLIC")
        let reference = AKSKSigner(accessKey: "AKPUBLIC", secretKey: "SKsecret-value")
        let date = Date(timeIntervalSince1970: 0)
        #expect(signer.sign(method: "GET", path: "/", query: [], headers: [], body: Data(), host: "h", date: date)
            == reference.sign(method: "GET", path: "/", query: [], headers: [], body: Data(), host: "h", date: date))
    }

    @Test func problemsAreNamedWithoutTheContent() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty"), twoLines = directory.appendingPathComponent("two")
        try Data(" \n".utf8).write(to: empty)
        try Data("line-one-secret\nline-two-secret\n".utf8).write(to: twoLines)
        #expect(throws: ModelArtsError.configuration(operation: .issueToken, message: "the password file \(empty.path) is empty")) {
            try SecretFile.read(empty.path, holding: "password")
        }
        do {
            _ = try SecretFile.read(twoLines.path, holding: "password")
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("line-one") && !error.description.contains("line-two"))
            #expect(error.message.hasSuffix("has more than one line"))
        }
        #expect(throws: ModelArtsError.self) { try SecretFile.read(directory.appendingPathComponent("missing").path, holding: "secret key") }
    }
}
