#ifndef SLUICE_CSLUICELINUX_H
#define SLUICE_CSLUICELINUX_H

/// Linux calls Swift cannot import directly (prctl is variadic; control messages need the CMSG
/// macros, GNU extensions), wrapped with fixed arguments. Only SluiceWorker uses this module.

/// prctl(PR_SET_DUMPABLE, value): 0 makes the process non-dumpable, so processes of the same uid
/// can neither ptrace it nor read its /proc/<pid>/environ or memory. Returns 0 or -1 (errno set).
int c_sluice_set_dumpable(int value);

/// prctl(PR_GET_DUMPABLE): the current value, or -1.
int c_sluice_get_dumpable(void);

/// sendmsg on a unix socket: `length` bytes of `data` with `count` (1 to 4) descriptors of `fds`
/// attached (SCM_RIGHTS). Returns the bytes sent or -1 (errno set). MSG_NOSIGNAL: a closed peer
/// gives EPIPE, never SIGPIPE.
long c_sluice_send_with_descriptors(int socket, const void *data, unsigned long length, const int *fds, int count);

/// memfd_create(name, MFD_CLOEXEC): an anonymous file in memory (no inode on any disk), not
/// inherited across exec. Returns the descriptor or -1 (errno set).
int c_sluice_memfd(const char *name);

/// pipe2(fds, O_NONBLOCK | O_CLOEXEC): a pipe no child inherits. Returns 0 or -1 (errno set).
int c_sluice_pipe_nonblocking(int fds[2]);

/// accept4(socket, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC). Returns the descriptor or -1.
int c_sluice_accept_nonblocking(int socket);

/// open(path, O_PATH | O_DIRECTORY | O_CLOEXEC): a descriptor naming a directory, for paths
/// through /proc/self/fd. Returns the descriptor or -1.
int c_sluice_open_directory_path(const char *path);

/// getsockopt(SO_PEERCRED): the pid of the process at the other end of a unix socket (as this
/// process's PID namespace numbers it), or -1.
int c_sluice_peer_pid(int socket);

#include <spawn.h>

/// posix_spawn_file_actions_addclosefrom_np: the spawned program gets no descriptor from `from` up.
int c_sluice_spawn_close_from(posix_spawn_file_actions_t *actions, int from);

#endif
