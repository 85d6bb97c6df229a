#define _GNU_SOURCE
#include "CSluiceLinux.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

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

long c_sluice_receive_with_descriptors(int socket, void *data, unsigned long length, int *fds, int capacity, int *count) {
    *count = 0;
    struct iovec part = {.iov_base = data, .iov_len = length};
    union {
        char buffer[CMSG_SPACE(8 * sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof(control));
    struct msghdr message = {.msg_iov = &part, .msg_iovlen = 1, .msg_control = control.buffer, .msg_controllen = sizeof(control.buffer)};
    long received = (long)recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
    if (received < 0) return received;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        int carried = (int)((header->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < carried; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(header) + (unsigned long)i * sizeof(int), sizeof(int));
            if (*count < capacity) {
                fds[(*count)++] = fd;
            } else {
                close(fd);
            }
        }
    }
    return received;
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

/* Writes a message to `fd` and ends the process with 125 (async-signal-safe). */
static void confined_fail(int fd, const char *what) {
    const char prefix[] = "sluice: cannot confine the job: ";
    (void)!write(fd, prefix, sizeof(prefix) - 1);
    (void)!write(fd, what, strlen(what));
    (void)!write(fd, "\n", 1);
    _exit(125);
}

static int write_text(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    long written = write(fd, text, strlen(text));
    close(fd);
    return written == (long)strlen(text) ? 0 : -1;
}

/* Decimal digits of `value` into `out` (async-signal-safe); returns the end. */
static char *put_number(char *out, unsigned int value) {
    char digits[12];
    int count = 0;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value > 0);
    while (count > 0) *out++ = digits[--count];
    return out;
}

static int write_map(const char *path, unsigned int id) {
    char text[32];
    char *end = put_number(text, id);
    *end++ = ' ';
    end = put_number(end, id);
    *end++ = ' ';
    *end++ = '1';
    *end = 0;
    return write_text(path, text);
}

/* The next NUL-terminated string of the job file, or NULL at its end. */
static const char *next_string(const char **cursor, const char *end) {
    const char *start = *cursor;
    if (start >= end) return NULL;
    const char *stop = memchr(start, 0, (size_t)(end - start));
    if (stop == NULL) return NULL;
    *cursor = stop + 1;
    return start;
}

static long parse_count(const char *text) {
    if (text == NULL || *text == 0) return -1;
    long value = 0;
    for (; *text; text++) {
        if (*text < '0' || *text > '9' || value > 100000) return -1;
        value = value * 10 + (*text - '0');
    }
    return value;
}

/* Landlock's ABI, spelled out (the installed kernel headers may predate ABI 6). */
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_EXECUTE (1ULL << 0)
#define LL_WRITE_FILE (1ULL << 1)
#define LL_READ_FILE (1ULL << 2)
#define LL_READ_DIR (1ULL << 3)
#define LL_TRUNCATE (1ULL << 14)
#define LL_IOCTL_DEV (1ULL << 15)
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

struct __attribute__((packed)) ll_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
};

int c_sluice_landlock_abi(void) {
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
    return abi < 0 ? 0 : (int)abi;
}

#define CONFINED_READ (LL_EXECUTE | LL_READ_FILE | LL_READ_DIR)
#define CONFINED_FILE_RIGHTS (LL_EXECUTE | LL_WRITE_FILE | LL_READ_FILE | LL_TRUNCATE | LL_IOCTL_DEV)
#define CONFINED_DEVICE (LL_WRITE_FILE | LL_READ_FILE | LL_TRUNCATE | LL_IOCTL_DEV)
#define CONFINED_ALL ((1ULL << 16) - 1)

static int add_rule(int ruleset, int fd, uint64_t access) {
    struct stat info;
    if (fstat(fd, &info) != 0) return -1;
    if (!S_ISDIR(info.st_mode)) access &= CONFINED_FILE_RIGHTS;
    struct ll_path_beneath_attr rule = {.allowed_access = access, .parent_fd = fd};
    return (int)syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &rule, 0);
}

/* What the child mapped in the address space it shares with the caller until it execs: the
   caller unmaps it once the child has exec'd (or exited), so no job's data stays behind. */
struct confined_mappings {
    void *data;
    size_t data_size;
    void *argv;
    size_t argv_size;
    void *envp;
    size_t envp_size;
};

/* `count` strings of the job file as a NULL-terminated array, mapped anonymously (recorded in
   `mapped`/`size` for the caller to unmap); ends the process on a short or malformed file. */
static char **read_strings(const char **cursor, const char *end, long count, int err, void **mapped, size_t *size) {
    *size = (size_t)(count + 1) * sizeof(char *);
    char **strings = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (strings == MAP_FAILED) confined_fail(err, "out of memory");
    *mapped = strings;
    for (long i = 0; i < count; i++) {
        strings[i] = (char *)next_string(cursor, end);
        if (strings[i] == NULL) confined_fail(err, "malformed job file");
    }
    strings[count] = NULL;
    return strings;
}

/* The job itself: descriptors, Landlock, no capability, exec. */
static void confined_exec(const struct c_sluice_confined_job *job, const char *data, const char *end, struct confined_mappings *mapped) {
    int err = job->standard_error;
    const char *cursor = data;
    const char *executable = next_string(&cursor, end);
    long argc = parse_count(next_string(&cursor, end));
    if (executable == NULL || argc < 1) confined_fail(err, "malformed job file");
    char **argv = read_strings(&cursor, end, argc, err, &mapped->argv, &mapped->argv_size);
    long envc = parse_count(next_string(&cursor, end));
    if (envc < 0) confined_fail(err, "malformed job file");
    char **envp = read_strings(&cursor, end, envc, err, &mapped->envp, &mapped->envp_size);
    long filec = parse_count(next_string(&cursor, end));
    if (filec < 0) confined_fail(err, "malformed job file");

    struct ll_ruleset_attr attributes = {
        .handled_access_fs = CONFINED_ALL,
        .handled_access_net = 0,
        .scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL,
    };
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attributes, sizeof(attributes), 0);
    if (ruleset < 0) confined_fail(err, "landlock_create_ruleset failed (Landlock ABI 6, Linux 6.12, is needed)");
    for (int i = 0; i < job->readable_count; i++) {
        if (add_rule(ruleset, job->readable[i], CONFINED_READ) != 0) confined_fail(err, "landlock_add_rule failed for a readable path");
    }
    for (int i = 0; i < job->device_count; i++) {
        if (add_rule(ruleset, job->devices[i], CONFINED_DEVICE) != 0) confined_fail(err, "landlock_add_rule failed for a device");
    }
    for (int i = 0; i < job->writable_count; i++) {
        if (add_rule(ruleset, job->writable[i], CONFINED_ALL) != 0) confined_fail(err, "landlock_add_rule failed for a writable path");
    }
    for (long i = 0; i < filec; i++) {
        const char *path = next_string(&cursor, end);
        if (path == NULL) confined_fail(err, "malformed job file");
        int fd = open(path, O_PATH | O_CLOEXEC);
        if (fd < 0) continue;
        if (add_rule(ruleset, fd, CONFINED_READ) != 0) confined_fail(err, "landlock_add_rule failed for a job file");
        close(fd);
    }
    int directory = open(job->directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (directory < 0 || add_rule(ruleset, directory, CONFINED_ALL) != 0) confined_fail(err, "cannot open the job's directory");
    close(directory);
    if (chdir(job->directory) != 0) confined_fail(err, "cannot enter the job's directory");

    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null < 0 || dup2(null, 0) < 0 || dup2(job->standard_output, 1) < 0 || dup2(job->standard_error, 2) < 0) {
        confined_fail(err, "cannot set up the job's descriptors");
    }
    err = 2;
    /* No capability survives exec, even as uid 0 inside the namespace. */
    for (int cap = 0; cap <= 63; cap++) {
        if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0UL, 0UL, 0UL) != 0 && errno != EINVAL) confined_fail(err, "cannot drop capabilities");
    }
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0UL, 0UL, 0UL);
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct none[2];
    memset(none, 0, sizeof(none));
    if (syscall(SYS_capset, &header, none) != 0) confined_fail(err, "cannot clear capabilities");
    if (prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL) != 0) confined_fail(err, "cannot set no_new_privs");
    if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) confined_fail(err, "landlock_restrict_self failed");
    close(ruleset);
    syscall(SYS_close_range, 3U, ~0U, 0U);
    execve(executable, argv, envp);
    confined_fail(err, strerror(errno));
}

struct confined_start {
    const struct c_sluice_confined_job *job;
    struct confined_mappings mapped;
};

/* The child: pid 1 of its own namespaces, sharing the caller's memory (the caller waits) until it
   execs the job. Only system calls and its own stack; never returns. */
static int confined_child(void *argument) {
    struct confined_start *start = argument;
    const struct c_sluice_confined_job *job = start->job;
    int err = job->standard_error;
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    for (int number = 1; number < NSIG; number++) {
        if (number != SIGKILL && number != SIGSTOP) signal(number, SIG_DFL);
    }
    /* The job (and every process in its namespace) ends with the launcher. */
    prctl(PR_SET_PDEATHSIG, (unsigned long)SIGKILL, 0UL, 0UL, 0UL);
    struct stat info;
    if (fstat(job->job_file, &info) != 0 || info.st_size <= 0) confined_fail(err, "cannot read the job file");
    char *data = mmap(NULL, (size_t)info.st_size, PROT_READ, MAP_PRIVATE, job->job_file, 0);
    if (data == MAP_FAILED) confined_fail(err, "cannot map the job file");
    start->mapped.data = data;
    start->mapped.data_size = (size_t)info.st_size;
    /* Mapping uid 0 needs CAP_SETFCAP (Linux 5.12), which the sandbox dropped: a worker running as
       root leaves it unmapped (the job sees itself as the overflow uid; its files are still root's). */
    if (write_text("/proc/self/setgroups", "deny") != 0 || (job->uid != 0 && write_map("/proc/self/uid_map", job->uid) != 0) ||
        write_map("/proc/self/gid_map", job->gid) != 0) {
        confined_fail(err, "cannot map the job's uid in its namespace");
    }
    confined_exec(job, data, data + info.st_size, &start->mapped);
    return 125;
}

int c_sluice_spawn_confined(const struct c_sluice_confined_job *job) {
    /* Like posix_spawn: the child runs on a stack of its own in this process's memory (no page
       table is copied, whatever this process's size), and this thread waits until it has exec'd. */
    const size_t stack_size = 256 * 1024;
    char *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return -1;
    struct confined_start start;
    memset(&start, 0, sizeof(start));
    start.job = job;
    int saved = errno;
    int pid = clone(confined_child, stack + stack_size, CLONE_VM | CLONE_VFORK | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWIPC | SIGCHLD, &start);
    int failure = errno;
    if (start.mapped.data != NULL) munmap(start.mapped.data, start.mapped.data_size);
    if (start.mapped.argv != NULL) munmap(start.mapped.argv, start.mapped.argv_size);
    if (start.mapped.envp != NULL) munmap(start.mapped.envp, start.mapped.envp_size);
    munmap(stack, stack_size);
    errno = pid < 0 ? failure : saved;
    return pid;
}

int c_sluice_pipe(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int c_sluice_open_path(const char *path) {
    return open(path, O_PATH | O_CLOEXEC);
}

int c_sluice_pidfd_open(int pid) {
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0) fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

static int confined_probe_child(void *argument) {
    (void)argument;
    _exit(0);
}

int c_sluice_probe_confinement(void) {
    if (c_sluice_landlock_abi() < 6) return -2;
    const size_t stack_size = 64 * 1024;
    char *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return -1;
    int pid = clone(confined_probe_child, stack + stack_size, CLONE_VM | CLONE_VFORK | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWIPC | SIGCHLD, NULL);
    int failure = errno;
    munmap(stack, stack_size);
    if (pid < 0) return failure > 0 ? failure : -1;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return 0;
}
