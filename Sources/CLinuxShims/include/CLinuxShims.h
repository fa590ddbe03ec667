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

#endif
