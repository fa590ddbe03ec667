import Foundation

/// Reads one secret (an access key, secret key or password) from a file, as systemd credentials and
/// secret directories provide them. Surrounding whitespace, above all the trailing newline editors add,
/// is removed: a signature computed with `SK\n` fails in a way that is hard to see.
public enum SecretFile {
    /// The file's content, trimmed. Errors name the file and what it should hold, never the content.
    public static func read(_ path: String, holding what: String) throws(ModelArtsError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .configuration(operation: .issueToken, message: "cannot read the \(what) file \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .configuration(operation: .issueToken, message: "the \(what) file \(path) is not UTF-8 text")
        }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else {
            throw .configuration(operation: .issueToken, message: "the \(what) file \(path) is empty")
        }
        guard !secret.contains(where: \.isNewline) else {
            throw .configuration(operation: .issueToken, message: "the \(what) file \(path) has more than one line")
        }
        return secret
    }
}

extension AKSKSigner {
    /// A signer from two files (e.g. the `modelarts-ak` and `modelarts-sk` credentials).
    public static func fromFiles(accessKey accessKeyPath: String, secretKey secretKeyPath: String) throws(ModelArtsError) -> AKSKSigner {
        AKSKSigner(
            accessKey: try SecretFile.read(accessKeyPath, holding: "access key"),
            secretKey: try SecretFile.read(secretKeyPath, holding: "secret key"))
    }
}
