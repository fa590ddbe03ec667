import Foundation

/// A clock for the simulated service that only moves when a test moves it (epoch milliseconds), so
/// timing-dependent behaviour (throttling, token expiry, status phases) is checked exactly.
final class ClockBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64

    init(_ value: Int64 = 1_800_000_000_000) { self.value = value }

    func read() -> Int64 { lock.withLock { value } }
    func set(_ newValue: Int64) { lock.withLock { value = newValue } }
    func advance(milliseconds: Int64) { lock.withLock { value += milliseconds } }
}
