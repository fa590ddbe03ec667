import CLinuxShims

/// glibc hands freed heap back to the kernel (`madvise`) as soon as a little is free, and the next
/// request faults the same pages in again: about 25 page faults per submission under load. A daemon
/// whose working set is steady keeps up to 16 MiB of it instead; its peak is what the benchmarks report.
enum MemoryAllocatorTuning {
    static func keepFreedMemory() {
        trainq_keep_freed_memory(16 << 20, 4 << 20)
    }
}
