import CLinuxShims
import ServiceLifecycle

/// Gives the heap's free pages back to the kernel every few seconds, once a burst has left more than a
/// few MiB free.
///
/// trainqd keeps freed heap between requests (`mallopt(M_TRIM_THRESHOLD)`), so that intake does not fault
/// the same pages in again for every submission. glibc itself never returns what a burst frees in the
/// middle of its arenas. After 100,000 submissions went into tracking, that was 8 to 14 MB of the peak
/// RSS. One trim every ten seconds costs intake at most one fault per page per ten seconds.
struct HeapTrimmer: Service {
    static let interval: Duration = .seconds(10)
    /// Below this, what is free is the working set of the next burst, not worth a pass over the arenas.
    static let threshold = 4 << 20

    func run() async {
        while !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.interval) }
            } catch {
                return
            }
            Self.trimIfWorthIt()
        }
    }

    /// True when free pages went back to the kernel.
    @discardableResult
    static func trimIfWorthIt() -> Bool {
        guard trainq_free_heap_bytes() > threshold else { return false }
        return trainq_trim_heap() == 1
    }
}
