import ArgumentParser

/// `HOST:PORT` as `--listen` takes it.
struct ListenAddress {
    var host: String
    var port: Int

    init(_ text: String) throws {
        guard let colon = text.lastIndex(of: ":") else {
            throw ValidationError("--listen: expected HOST:PORT, got \"\(text)\".")
        }
        let host = String(text[..<colon])
        guard !host.isEmpty else { throw ValidationError("--listen: the host is missing in \"\(text)\".") }
        guard let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            throw ValidationError("--listen: the port must be a number from 0 to 65535 in \"\(text)\".")
        }
        self.host = host
        self.port = port
    }
}
