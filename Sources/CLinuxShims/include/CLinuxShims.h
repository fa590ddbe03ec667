#ifndef C_LINUX_SHIMS_H
#define C_LINUX_SHIMS_H

#include <sys/types.h>

/// Layout-identical copy of glibc's `struct ucred`, which Swift's Glibc module hides
/// behind `_GNU_SOURCE`. Filled by `getsockopt(SOL_SOCKET, SO_PEERCRED)`.
typedef struct trainq_ucred {
    pid_t pid;
    uid_t uid;
    gid_t gid;
} trainq_ucred;

/// `SO_PEERGROUPS` (Linux 4.13): the supplementary groups the peer had at `connect()`. Glibc's headers
/// name it only with newer kernels' headers, so its number is given here.
#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59
#endif
static const int trainq_so_peergroups = SO_PEERGROUPS;

/// Room for the peer's supplementary groups, read with `SO_PEERGROUPS`; a peer with more gets ERANGE.
typedef struct trainq_peer_groups {
    gid_t gids[256];
} trainq_peer_groups;

/// Keeps freed heap memory in the process instead of returning it to the kernel at once
/// (`mallopt(M_TRIM_THRESHOLD)` and a fixed `M_MMAP_THRESHOLD`; `malloc.h` is not in Swift's Glibc module).
void trainq_keep_freed_memory(int trim_threshold, int mmap_threshold);

/// Bytes of glibc's heap that are free, in every arena (`mallinfo2().fordblks`).
size_t trainq_free_heap_bytes(void);

/// Returns the free pages of every arena to the kernel (`malloc_trim(0)`); 1 when any went back.
int trainq_trim_heap(void);

#endif
