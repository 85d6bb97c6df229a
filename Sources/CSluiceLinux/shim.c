#define _GNU_SOURCE
#include "CSluiceLinux.h"
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>

int c_sluice_set_dumpable(int value) {
    return prctl(PR_SET_DUMPABLE, (unsigned long)value, 0UL, 0UL, 0UL);
}

int c_sluice_get_dumpable(void) {
    return prctl(PR_GET_DUMPABLE, 0UL, 0UL, 0UL, 0UL);
}

long c_sluice_send_with_descriptors(int socket, const void *data, unsigned long length, const int *fds, int count) {
    if (count < 1 || count > 4) return -1;
    struct iovec part = {.iov_base = (void *)data, .iov_len = length};
    union {
        char buffer[CMSG_SPACE(4 * sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof(control));
    struct msghdr message = {
        .msg_iov = &part, .msg_iovlen = 1, .msg_control = control.buffer, .msg_controllen = CMSG_SPACE((unsigned long)count * sizeof(int))};
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN((unsigned long)count * sizeof(int));
    memcpy(CMSG_DATA(header), fds, (unsigned long)count * sizeof(int));
    return (long)sendmsg(socket, &message, MSG_NOSIGNAL);
}

int c_sluice_memfd(const char *name) {
    return memfd_create(name, MFD_CLOEXEC);
}

int c_sluice_spawn_close_from(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}


int c_sluice_pipe_nonblocking(int fds[2]) {
    return pipe2(fds, O_NONBLOCK | O_CLOEXEC);
}

int c_sluice_accept_nonblocking(int socket) {
    return accept4(socket, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int c_sluice_open_directory_path(const char *path) {
    return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

int c_sluice_peer_pid(int socket) {
    struct ucred credentials;
    socklen_t length = sizeof(credentials);
    if (getsockopt(socket, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    return (int)credentials.pid;
}
