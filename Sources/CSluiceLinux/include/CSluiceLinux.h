#ifndef SLUICE_CSLUICELINUX_H
#define SLUICE_CSLUICELINUX_H

/// Linux calls Swift cannot import directly (prctl is variadic; control messages need the CMSG
/// macros), wrapped with fixed arguments. Only SluiceWorker uses this module.

/// prctl(PR_SET_DUMPABLE, value): 0 makes the process non-dumpable, so processes of the same uid
/// can neither ptrace it nor read its /proc/<pid>/environ or memory. Returns 0 or -1 (errno set).
int c_sluice_set_dumpable(int value);

/// prctl(PR_GET_DUMPABLE): the current value, or -1.
int c_sluice_get_dumpable(void);

/// sendmsg on a unix socket: `length` bytes of `data` with one descriptor `fd` attached
/// (SCM_RIGHTS). Returns the bytes sent or -1 (errno set). MSG_NOSIGNAL: a closed peer gives EPIPE,
/// never SIGPIPE.
long c_sluice_send_with_descriptor(int socket, const void *data, unsigned long length, int fd);

#include <spawn.h>

/// posix_spawn_file_actions_addclosefrom_np: the spawned program gets no descriptor from `from` up.
int c_sluice_spawn_close_from(posix_spawn_file_actions_t *actions, int from);

#endif
