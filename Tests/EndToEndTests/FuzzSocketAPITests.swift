import Foundation
import JSONTree
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue: bad input never takes trainqd down. Malformed and mutated requests over the Unix socket, and slow
/// clients: the daemon stays up, every answer is a 4xx in the error envelope, memory stays flat.
/// `FUZZ_REQUESTS` and `FUZZ_SEED` make the run larger or repeat one.
@Suite(.serialized) struct FuzzSocketAPITests {
    struct Counts {
        var requests = 0
        var envelopes = 0
        var closedWithoutAnswer = 0
        var timedOut = 0
        var nonEnvelope: [String] = []
        var byCategory: [FuzzCase.Category: Int] = [:]
        var statuses: [Int: Int] = [:]
    }

    static let maxBodyBytes = 65536

    @Test func malformedRequestsGetEnvelopesAndTheDaemonStaysUpWithFlatMemory() async throws {
        let environment = ProcessInfo.processInfo.environment
        let total = environment["FUZZ_REQUESTS"].flatMap(Int.init) ?? 3000
        let seed = environment["FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...999_999)
        let directory = try TestDirectory()
        let config = directory.file("trainqd.yaml")
        try "socket:\n  max_body_bytes: \(Self.maxBodyBytes)\n  idle_timeout: 2s\n".write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try await DaemonProcess(directory: directory, extraArguments: ["--simulate", "--config", config])
        defer { daemon.child.signal(SIGKILL) }

        var random = ChaosRandom(seed: seed)
        var counts = Counts()
        // Warm up, so that what the allocator keeps after the first requests is not taken for a leak.
        try await run(total / 5, &random, &counts, daemon: daemon)
        let rssBefore = try Self.residentKilobytes(of: daemon.child.pid)
        try await run(total, &random, &counts, daemon: daemon)
        let rssAfter = try Self.residentKilobytes(of: daemon.child.pid)

        print("fuzz run: seed \(seed)")
        print("  requests                 \(counts.requests)")
        print("  4xx with the envelope    \(counts.envelopes)")
        print("  closed without an answer \(counts.closedWithoutAnswer)")
        print("  timed out                \(counts.timedOut)")
        print("  non-envelope answers     \(counts.nonEnvelope.count)")
        print("  crashes                  \(daemon.child.isRunning ? 0 : 1)")
        print("  statuses                 \(counts.statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))")
        print("  by category              \(counts.byCategory.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "))")
        print("  RSS                      \(rssBefore) kB after warm-up, \(rssAfter) kB after \(total) more")
        // One example of each kind of wrong answer.
        var seen = Set<String>()
        for sample in counts.nonEnvelope where seen.insert(String(sample.prefix(while: { $0 != "f" }).prefix(40))).inserted {
            print("    \(sample)")
        }

        #expect(daemon.child.isRunning, "trainqd crashed:\n\(daemon.child.stderr.suffix(3000))")
        #expect(counts.nonEnvelope.isEmpty, "\(counts.nonEnvelope.prefix(10))")
        #expect(counts.timedOut == 0)
        #expect(counts.envelopes > counts.requests / 2, "most requests must be answered at all")
        #expect(rssAfter < rssBefore + 32 * 1024, "RSS grew from \(rssBefore) kB to \(rssAfter) kB")

        // And it still does its job.
        let client = ChaosSocketClient(socketPath: daemon.socketPath)
        let accepted = try await client.send("POST", "/v1/submissions", body: ChaosRequestBody.submission(job: 10, previous: 20, description: "after fuzz"))
        await client.shutdown()
        #expect(accepted.status == 202, "\(accepted.text)")
        #expect(await daemon.stop() == 0)
    }

    @Test func slowClientsDoNotHoldUpOthers() async throws {
        let directory = try TestDirectory()
        let config = directory.file("trainqd.yaml")
        try "socket:\n  idle_timeout: 2s\n".write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try await DaemonProcess(directory: directory, extraArguments: ["--simulate", "--config", config])
        defer { daemon.child.signal(SIGKILL) }
        let body = FuzzBodies.seed(jobID: nil)
        let whole = FuzzCase.request("POST", "/v1/submissions", contentType: "application/json", body: body)

        let results = await withTaskGroup(of: FuzzRawClient.Result.self) { group in
            // Byte by byte, with pauses: slow but complete, so they get their answer.
            for _ in 0..<8 {
                group.addTask {
                    await FuzzRawClient.exchange(
                        socketPath: daemon.socketPath, chunks: whole.prefix(300).map { Data([$0]) } + [whole.dropFirst(300)],
                        pause: .milliseconds(2), halfClose: false, timeout: .seconds(20)
                    )
                }
            }
            // Headers and then nothing: the idle timeout must end them.
            for _ in 0..<16 {
                group.addTask {
                    await FuzzRawClient.exchange(
                        socketPath: daemon.socketPath, chunks: [whole.prefix(60)], halfClose: false, timeout: .seconds(15)
                    )
                }
            }
            // Meanwhile an ordinary client is served at once.
            group.addTask {
                let client = ChaosSocketClient(socketPath: daemon.socketPath)
                defer { Task { await client.shutdown() } }
                let reply = try? await client.send("GET", "/v1/health", timeout: .seconds(3))
                return reply.map { .answered(.init(status: Int($0.status), headers: [:], body: $0.body)) } ?? .timedOut
            }
            return await group.reduce(into: [FuzzRawClient.Result]()) { $0.append($1) }
        }
        var answered = 0
        var closed = 0
        for result in results {
            switch result {
            case .answered(let answer):
                #expect(answer.status == 200 || Self.isEnvelope(answer), "\(answer.status) \(String(decoding: answer.body, as: UTF8.self))")
                answered += 1
            case .closed: closed += 1
            case .timedOut: Issue.record("a slow client was neither answered nor closed")
            case .unreachable(let why): Issue.record("trainqd unreachable: \(why)")
            }
        }
        print("slow clients: \(answered) answered (8 slow, 1 ordinary), \(closed) stalled ones closed by the idle timeout")
        #expect(answered == 9)
        #expect(closed == 16)
        #expect(daemon.child.isRunning)
        #expect(await daemon.stop() == 0)
    }

    private func run(_ count: Int, _ random: inout ChaosRandom, _ counts: inout Counts, daemon: DaemonProcess) async throws {
        for _ in 0..<count {
            let category = FuzzCase.Category.allCases.randomElement(using: &random) ?? .randomBytes
            let fuzzCase = FuzzCase.make(category, random: &random, maxBodyBytes: Self.maxBodyBytes)
            counts.requests += 1
            counts.byCategory[category, default: 0] += 1
            switch await FuzzRawClient.exchange(socketPath: daemon.socketPath, chunks: [fuzzCase.bytes], halfClose: fuzzCase.halfClose) {
            case .answered(let answer):
                counts.statuses[answer.status, default: 0] += 1
                if Self.isEnvelope(answer) {
                    counts.envelopes += 1
                } else {
                    counts.nonEnvelope.append(
                        "\(category.rawValue): \(answer.status) \(String(decoding: answer.body.prefix(200), as: UTF8.self)) for \(String(decoding: fuzzCase.bytes.prefix(120), as: UTF8.self).debugDescription)"
                    )
                }
            case .closed:
                counts.closedWithoutAnswer += 1
            case .timedOut:
                counts.timedOut += 1
            case .unreachable(let why):
                throw HarnessError("trainqd stopped answering after \(counts.requests) requests (\(why)):\n\(daemon.child.stderr.suffix(3000))")
            }
        }
    }

    /// A 4xx whose body is `{"error": {"kind": "...", "message": "..."}}`.
    static func isEnvelope(_ answer: FuzzRawClient.Answer) -> Bool {
        guard (400..<500).contains(answer.status), let value = try? JSONValue.parse(answer.body) else { return false }
        return value["error"]?["kind"]?.stringValue?.isEmpty == false && value["error"]?["message"]?.stringValue != nil
    }

    static func residentKilobytes(of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { throw HarnessError("no VmRSS for \(pid)") }
        return kilobytes
    }
}
