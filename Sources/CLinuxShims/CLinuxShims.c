#define _GNU_SOURCE
#include <malloc.h>
#include <stddef.h>
#include <sys/socket.h>
#include "CLinuxShims.h"

/// Fails the build if our copy of `struct ucred` ever differs from glibc's.
_Static_assert(sizeof(struct ucred) == sizeof(trainq_ucred), "ucred size");
_Static_assert(offsetof(struct ucred, uid) == offsetof(trainq_ucred, uid), "ucred uid offset");
_Static_assert(offsetof(struct ucred, gid) == offsetof(trainq_ucred, gid), "ucred gid offset");
_Static_assert(SO_PEERGROUPS == 59, "SO_PEERGROUPS");

void trainq_keep_freed_memory(int trim_threshold, int mmap_threshold) {
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
}

size_t trainq_free_heap_bytes(void) {
    return mallinfo2().fordblks;
}

int trainq_trim_heap(void) {
    return malloc_trim(0);
}
