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

/// recvmsg on a unix socket: up to `length` bytes into `data`, and up to `capacity` descriptors
/// that came with them (SCM_RIGHTS, received close-on-exec) into `fds`, their number in `count`.
/// Returns the bytes received (0 at end of file) or -1 (errno set).
long c_sluice_receive_with_descriptors(int socket, void *data, unsigned long length, int *fds, int capacity, int *count);

/// memfd_create(name, MFD_CLOEXEC): an anonymous file in memory (no inode on any disk), not
/// inherited across exec. Returns the descriptor or -1 (errno set).
int c_sluice_memfd(const char *name);

/// pipe2(fds, O_NONBLOCK | O_CLOEXEC): a pipe no child inherits. Returns 0 or -1 (errno set).
int c_sluice_pipe_nonblocking(int fds[2]);

/// pipe2(fds, O_CLOEXEC): a blocking pipe no child inherits unless given it. Returns 0 or -1.
int c_sluice_pipe(int fds[2]);

/// open(path, O_PATH | O_CLOEXEC): a descriptor naming a file or directory, for Landlock rules.
/// Returns the descriptor or -1.
int c_sluice_open_path(const char *path);

/// pidfd_open(pid, 0) with close-on-exec: a descriptor that becomes readable when the process
/// ends (whichever thread of the caller would get its SIGCHLD). Returns it or -1 (errno set).
int c_sluice_pidfd_open(int pid);

/// accept4(socket, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC). Returns the descriptor or -1.
int c_sluice_accept_nonblocking(int socket);

/// open(path, O_PATH | O_DIRECTORY | O_CLOEXEC): a descriptor naming a directory, for paths
/// through /proc/self/fd. Returns the descriptor or -1.
int c_sluice_open_directory_path(const char *path);

/// getsockopt(SO_PEERCRED): the pid of the process at the other end of a unix socket (as this
/// process's PID namespace numbers it), or -1.
int c_sluice_peer_pid(int socket);

/// What one confined job is (see c_sluice_spawn_confined). Every descriptor is the caller's; none
/// is closed by the call.
struct c_sluice_confined_job {
    /// A file (a memfd) holding NUL-terminated strings: the executable's path, the number of
    /// arguments, the arguments (argv[0] first), the number of environment entries, the entries
    /// (NAME=value), the number of extra readable files, their paths. Read only in the child, so
    /// the caller never holds the job's environment.
    int job_file;
    /// The job's stdout and stderr (stdin is /dev/null).
    int standard_output;
    int standard_error;
    /// The job's scratch directory (its working directory, writable).
    const char *directory;
    /// O_PATH descriptors of what every job may read (and execute), and of the devices it may
    /// read and write, opened once by the caller.
    const int *readable;
    int readable_count;
    const int *devices;
    int device_count;
    /// Directories every job may write besides its own (the sandbox's /tmp, wiped between jobs), or none.
    const int *writable;
    int writable_count;
    /// The uid and gid the job keeps inside its user namespace.
    unsigned int uid;
    unsigned int gid;
};

/// Starts one job confined and returns its pid (or -1, errno set), like posix_spawn (the child
/// shares this process's memory on a stack of its own until it execs; this thread waits). The job
/// is cloned straight into a new user, PID and IPC namespace, as its pid 1 (mapping only `uid` —
/// not root, which needs a capability the sandbox dropped — and `gid`), and dies with the caller:
/// stdin /dev/null, the given stdout and stderr, the scratch directory as its working directory, no
/// capability, no other descriptor, no_new_privs, and its own Landlock domain (ABI 6: reads the
/// readable paths and its extra files, writes only its directory and `writable`, may neither signal
/// nor ptrace nor reach the abstract sockets of anything outside it). When it exits, every process
/// left in its namespace ends with it; SIGKILL it to kill the job and all it started. On a failure
/// to set up, it exits 125 after writing why to the job's stderr.
int c_sluice_spawn_confined(const struct c_sluice_confined_job *job);

/// Whether jobs can be confined here: 0; -2 when the kernel's Landlock ABI is below 6; otherwise
/// the errno of making a user, PID and IPC namespace (nested user namespaces refused, say).
int c_sluice_probe_confinement(void);

/// The Landlock ABI version this kernel offers (0 when none).
int c_sluice_landlock_abi(void);

#include <spawn.h>

/// posix_spawn_file_actions_addclosefrom_np: the spawned program gets no descriptor from `from` up.
int c_sluice_spawn_close_from(posix_spawn_file_actions_t *actions, int from);

#endif
