import Synchronization

/// Where the jitter comes from: uniform numbers in `0..<1`. The system generator in production; tests
/// inject fixed or scripted values so that delays are exact.
public struct RandomSource: Sendable {
    private let nextValue: @Sendable () -> Double

    public init(_ nextValue: @escaping @Sendable () -> Double) {
        self.nextValue = nextValue
    }

    /// The next number, clamped into `0...1` whatever the injected closure returns.
    public func next() -> Double {
        let value = nextValue()
        guard value.isFinite else { return 0 }
        return min(max(value, 0), 1)
    }

    public static let system = RandomSource { Double.random(in: 0..<1) }

    /// Always the same number.
    public static func constant(_ value: Double) -> RandomSource {
        RandomSource { value }
    }

    /// The given numbers in turn, starting over at the end.
    public static func cycling(_ values: [Double]) -> RandomSource {
        let index = Mutex(0)
        let values = values.isEmpty ? [0] : values
        return RandomSource {
            index.withLock { index in
                defer { index = (index + 1) % values.count }
                return values[index]
            }
        }
    }
}
