// C wrappers for the Linux calls Swift's Glibc module does not export. Two modules use them:
// NetCore (epoll, eventfd, sockets, splice) and ProcessSupervision (pipes, cnet_spawn, the
// subreaper); nothing above those two imports this module.
//
// `_GNU_SOURCE` must not appear in this header: defining it here makes the Clang module clash
// with SwiftGlibc (`fd_set` redefinition). It is defined only in cnet_shim.c, which calls the
// real functions, and this header exposes plain wrappers and the constants as enum values.
#ifndef CNET_SHIM_H
#define CNET_SHIM_H

#include <spawn.h>
#include <stdint.h>
#include <sys/types.h>

/// One readiness event, unpacked (the kernel's `struct epoll_event` is packed on x86_64).
typedef struct {
    uint64_t token;
    uint32_t events;
} cnet_event;

enum {
    CNET_EPOLLIN = 0x001,
    CNET_EPOLLPRI = 0x002,
    CNET_EPOLLOUT = 0x004,
    CNET_EPOLLERR = 0x008,
    CNET_EPOLLHUP = 0x010,
    CNET_EPOLLRDHUP = 0x2000,
};

/// epoll_create1(EPOLL_CLOEXEC).
int cnet_epoll_create(void);
/// Registers `fd` once, edge-triggered, for IN|OUT|RDHUP|PRI, with `token` as its user data.
int cnet_epoll_add(int epfd, int fd, uint64_t token);
/// Removes `fd` from the interest list.
int cnet_epoll_del(int epfd, int fd);
/// Waits for up to `max` events. `timeout_ns` < 0 waits forever; otherwise the wait is at
/// most that long (epoll_pwait2's nanosecond timeout, or milliseconds rounded up where the
/// kernel lacks it). Returns the count, or -1 with errno set.
int cnet_epoll_wait(int epfd, cnet_event *events, int max, int64_t timeout_ns);

/// eventfd(0, EFD_CLOEXEC|EFD_NONBLOCK).
int cnet_eventfd(void);
/// Adds 1 to the eventfd counter (wakes a poller waiting on it).
int cnet_eventfd_signal(int fd);
/// Resets the eventfd counter to zero.
void cnet_eventfd_drain(int fd);

/// A per-thread tag: NetExecutor marks its worker threads with it, so that work enqueued from
/// a worker (which will come back for it) is told apart from work enqueued from elsewhere.
void cnet_set_thread_tag(void *tag);
void *cnet_thread_tag(void);
/// Set while a worker delivers poller events: what it enqueues then, it runs right after.
void cnet_set_thread_dispatching(int on);
int cnet_thread_dispatching(void);
/// A mutex on one 32-bit word that starts at 0: the lock of NetCore's `Locked`.
void cnet_mutex_lock(int32_t *word);
void cnet_mutex_unlock(int32_t *word);

/// An id no other call in this process returns (per-thread blocks of a shared counter).
uint64_t cnet_next_wait_id(void);

/// open("/dev/null", O_RDONLY | O_CLOEXEC): NetCore's spare descriptor.
int cnet_open_dev_null(void);

/// Names the calling thread (at most 15 bytes show), for ps, top and perf.
void cnet_set_thread_name(const char *name);

/// This thread's scratch buffer of CNET_SCRATCH_SIZE bytes, made on first use and kept for
/// the thread's life: a read that returns a fresh array reads into it, then copies out exactly
/// what came, so no buffer is held while a read waits. NULL if it cannot be allocated.
enum { CNET_SCRATCH_SIZE = 65536 };
void *cnet_thread_scratch(void);

/// accept4 with SOCK_NONBLOCK|SOCK_CLOEXEC.
int cnet_accept4(int fd, void *addr, uint32_t *addrlen);
/// socket(domain, type|SOCK_NONBLOCK|SOCK_CLOEXEC, 0).
int cnet_socket_nonblocking(int domain, int type);
/// pipe2(fds, O_NONBLOCK|O_CLOEXEC).
int cnet_pipe2(int fds[2]);
/// pipe2(fds, O_CLOEXEC): blocking ends that no child started by another thread can inherit
/// (pipe() followed by fcntl(FD_CLOEXEC) leaves a window in which one can).
int cnet_pipe_cloexec(int fds[2]);
/// Starts `file` (a path, or a name looked up on netlab's PATH as execvp does) with `argv` and
/// `envp`, like posix_spawnp, but in a child that cannot outlive netlab: fork, then in the
/// child default signal actions, an empty signal mask, a process group of its own when
/// `new_group`, PR_SET_PDEATHSIG(SIGKILL) unless `outlive` (only netlab's watchdog, which must
/// live on to clean up after netlab), stdin from `in_fd` when it is >= 0, else from /dev/null
/// when `stdin_null`, `out_fd` and
/// `err_fd` onto 1 and 2 (when >= 0), every other descriptor closed at the exec, at most
/// `fd_limit` descriptors (RLIMIT_NOFILE, soft and hard) when it is > 0, then execve. The limit
/// is set in the child, before the exec, so whatever the program starts (a shell's child
/// included) inherits it.
/// Returns the pid, or -1 with the reason in `*error` (the child's errno when the exec failed,
/// ETXTBSY included, in which case the child has been reaped).
///
/// The death signal is sent when the *thread* that forked ends, not only the process: call it
/// from a thread that lives as long as netlab (ProcessSupervision's SpawnThread).
pid_t cnet_spawn(const char *file, char *const argv[], char *const envp[], int stdin_null, int out_fd, int err_fd,
                 int new_group, long fd_limit, int in_fd, int outlive, int *error);
/// prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants of netlab's children (a daemon that
/// called setsid and whose parent exited) become netlab's children, not init's, so netlab can
/// find, stop and reap them.
int cnet_become_subreaper(void);
/// fcntl(fd, F_SETPIPE_SZ, size). Returns the new size or -1.
int cnet_set_pipe_size(int fd, int size);
/// splice(in, NULL, out, NULL, len, SPLICE_F_NONBLOCK). Never SPLICE_F_MOVE.
ssize_t cnet_splice(int fd_in, int fd_out, size_t len);

/// send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT).
ssize_t cnet_send(int fd, const void *buf, size_t len);

/// Sets SO_LINGER {1, 0} so that close(2) sends a RST.
int cnet_set_linger_zero(int fd);
/// Turns keep-alive on with `idle_seconds` idle time and probe interval, or off when 0.
int cnet_set_keepalive(int fd, int idle_seconds);
/// Ignores SIGPIPE process-wide (splice to a closed peer raises it even with MSG_NOSIGNAL).
void cnet_ignore_sigpipe(void);

/// errno values the Swift side compares against, named so that callers read clearly.
enum {
    CNET_EAGAIN = 11,
    CNET_EINTR = 4,
    CNET_EINVAL = 22,
    CNET_EINPROGRESS = 115,
    CNET_ECONNABORTED = 103,
    CNET_ECONNRESET = 104,
    CNET_EMFILE = 24,
    CNET_ENFILE = 23,
    CNET_EPIPE = 32,
    CNET_ENOBUFS = 105,
    CNET_ENOMEM = 12,
};

#endif
