import CLinuxShims
import ServiceLifecycle

/// Gives the heap's free pages back to the kernel every few seconds, after a burst has freed more than a
/// few MiB.
///
/// trainqd keeps freed heap between requests (`mallopt(M_TRIM_THRESHOLD)`), so that intake does not fault
/// the same pages in again for every submission. glibc itself never returns what a burst frees in the
/// middle of its arenas. After 100,000 submissions went into tracking, that was 8 to 14 MB of the peak
/// RSS. One trim every ten seconds costs intake at most one fault per page per ten seconds.
struct HeapTrimmer: Service {
    static let interval: Duration = .seconds(10)
    /// How much more must be free than after the last trim. Less is the working set of the next burst.
    static let threshold = 4 << 20

    func run() async {
        // Free bytes stay counted as free after a trim (only their pages go), so a trim is due when more
        // became free since, not whenever much is free.
        var freeAfterTrim = 0
        while !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.interval) }
            } catch {
                return
            }
            let free = trainq_free_heap_bytes()
            if Self.isDue(free: free, freeAfterTrim: freeAfterTrim) {
                trainq_trim_heap()
                freeAfterTrim = free
            } else {
                // What was reused since lowers the mark: its pages are resident again.
                freeAfterTrim = min(freeAfterTrim, free)
            }
        }
    }

    static func isDue(free: Int, freeAfterTrim: Int) -> Bool {
        free > freeAfterTrim + threshold
    }

    /// Trims when more than `threshold` is free; true when free pages went back to the kernel.
    @discardableResult
    static func trimIfWorthIt() -> Bool {
        guard isDue(free: trainq_free_heap_bytes(), freeAfterTrim: 0) else { return false }
        return trainq_trim_heap() == 1
    }
}
