import Foundation
import JSONTree
import Logging
import Synchronization
import TrainQAPI

@testable import TrainQStore

/// A fresh directory for one test, removed afterwards.
func withTemporaryDirectory<Result>(_ body: (URL) async throws -> Result) async throws -> Result {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("trainq-store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

/// A store on a new database file in its own temporary directory.
func withStore<Result>(_ body: (SubmissionStore, String) async throws -> Result) async throws -> Result {
    try await withTemporaryDirectory { directory async throws in
        let path = directory.appendingPathComponent("trainq.db").path
        let store = try SubmissionStore(path: path, logger: testLogger)
        defer { Task { await store.close() } }
        let result = try await body(store, path)
        await store.close()
        return result
    }
}

let testLogger = Logger(label: "trainq.store.tests")

let alice = Owner(uid: 1000, user: "alice")
let bob = Owner(uid: 1001, user: "bob")
let projectID = "0123456789abcdef0123456789abcdef"

/// A fixed instant on a whole millisecond, so stored and returned dates compare equal.
let baseTime = Date(timeIntervalSince1970: 1_796_000_000.123)

func time(_ offsetSeconds: Double) -> Date {
    Date(timeIntervalSince1970: (baseTime.timeIntervalSince1970 * 1000 + offsetSeconds * 1000).rounded() / 1000)
}

/// The seed's sample body, with a description to tell requests apart.
func sampleRequest(_ description: String = "This is a ModelArts job") -> JSONValue {
    .object([
        "job_desc": .string(description),
        "config": .object([
            "worker_server_num": .integer(1),
            "app_url": .string("/usr/app/"),
            "boot_file_url": .string("/usr/app/boot.py"),
            "parameter": .array([.object(["label": .string("learning_rate"), "value": .string("0.01")])]),
            "data_url": .string("/usr/data/"),
            "dataset_id": .string("YeGNEeWLI9zFTGU4nR8"),
            "dataset_version_id": .string("2ff0d6ba-c480-45ae-be41-09a8369bfc90"),
            "spec_id": .integer(1),
            "train_url": .string("/usr/train/"),
            "log_url": .string("/usr/log/"),
            "pre_version_id": .integer(20),
        ]),
    ])
}

func newSubmission(
    owner: Owner = alice, jobID: Int64 = 10, description: String = "This is a ModelArts job", key: String? = nil,
    at: Date = baseTime
) -> NewSubmission {
    NewSubmission(
        owner: owner, projectID: projectID, jobID: jobID, request: sampleRequest(description), idempotencyKey: key,
        at: at)
}

extension InsertOutcome {
    var created: SubmissionView? {
        if case .created(let view) = self { view } else { nil }
    }

    var replayed: SubmissionView? {
        if case .replayed(let view) = self { view } else { nil }
    }
}

struct UnexpectedOutcome: Error, CustomStringConvertible {
    let description: String
}

/// Inserts and expects a new submission.
func create(_ store: any SubmissionStorage, _ new: NewSubmission) async throws -> SubmissionView {
    let outcome = try await store.insert(new)
    guard let view = outcome.created else { throw UnexpectedOutcome(description: "expected created, got \(outcome)") }
    return view
}

/// A flag one thread sets and another polls.
final class Flag: Sendable {
    private let value = Mutex(false)

    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// Polls `condition` every few milliseconds, at most `attempts` times; true once it holds.
@discardableResult
func eventually(attempts: Int = 1_000, _ condition: () async throws -> Bool) async throws -> Bool {
    for _ in 0..<attempts {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(5))
    }
    return false
}

extension SubmissionStorage {
    /// A remote status on a `tracking` row, written as the engine's executor writes it: a stay, with an
    /// event row when `appendsEvent` (the engine asks for one when the code is new). False when the row is
    /// not tracking.
    func recordRemoteStatus(
        id: String, status: RemoteStatus, snapshot: JSONValue? = nil, timing: RemoteTiming? = nil, at: Date = Date(),
        appendsEvent: Bool = true
    ) async throws -> Bool {
        let changes = SubmissionChanges(remoteStatus: status, remoteSnapshot: snapshot, timing: timing)
        return try await apply(
            SubmissionWrite(expected: .tracking, next: nil, changes: changes, appendsEvent: appendsEvent, at: at), id: id
        ) != nil
    }
}
