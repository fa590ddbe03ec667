import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A connected Unix stream socket with blocking reads and writes: each load client owns one on a thread
/// of its own, so what is measured is the server, not a scheduler.
final class BlockingSocket {
    private let descriptor: Int32
    private var buffer = [UInt8](repeating: 0, count: 65536)
    /// Bytes read but not yet consumed by a reply.
    private(set) var pending: [UInt8] = []

    init(path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(descriptor)
            throw BenchError("socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            close(descriptor)
            throw BenchError("connect \(path): \(message)")
        }
    }

    /// A TCP connection to `127.0.0.1:port` (the simulator's control API).
    init(loopbackPort port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            close(descriptor)
            throw BenchError("connect 127.0.0.1:\(port): \(message)")
        }
    }

    deinit { close(descriptor) }

    /// One HTTP/1.1 exchange on this connection; the answer's status and body.
    func http(_ method: String, _ target: String, body: [UInt8]? = nil) throws -> (status: Int, body: [UInt8]) {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: bench\r\n"
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        try write(Array((head + "\r\n").utf8) + (body ?? []))
        let reply = try readReply(HTTPReply.length)
        let statusLine = String(decoding: reply.prefix(16), as: UTF8.self).split(separator: " ")
        return (statusLine.count > 1 ? Int(statusLine[1]) ?? 0 : 0, HTTPReply.body(reply))
    }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                send(descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw BenchError("send: \(String(cString: strerror(errno)))") }
            offset += written
        }
    }

    /// Reads until `complete` finds a whole reply at the start of the pending bytes; returns its length and
    /// drops it from the pending bytes.
    func readReply(_ complete: ([UInt8]) -> Int?) throws -> [UInt8] {
        while true {
            if let length = complete(pending) {
                let reply = Array(pending[0..<length])
                pending.removeFirst(length)
                return reply
            }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw BenchError(count == 0 ? "the server closed the connection" : "recv: \(String(cString: strerror(errno)))") }
            pending.append(contentsOf: buffer[0..<count])
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
