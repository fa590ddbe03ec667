#define _GNU_SOURCE
#include <sys/socket.h>
#include "CLinuxShims.h"

int trainq_peer_credentials(int fd, trainq_ucred *out) {
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
        return -1;
    }
    out->pid = cred.pid;
    out->uid = cred.uid;
    out->gid = cred.gid;
    return 0;
}
