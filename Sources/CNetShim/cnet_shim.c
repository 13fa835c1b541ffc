// Thin wrappers over Linux-only calls; see CNetShim.h for why _GNU_SOURCE lives here.
#define _GNU_SOURCE
#include "CNetShim.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/epoll.h>
#include <stdlib.h>
#include <linux/futex.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

_Static_assert(CNET_EPOLLIN == EPOLLIN, "EPOLLIN");
_Static_assert(CNET_EPOLLOUT == EPOLLOUT, "EPOLLOUT");
_Static_assert(CNET_EPOLLERR == EPOLLERR, "EPOLLERR");
_Static_assert(CNET_EPOLLHUP == EPOLLHUP, "EPOLLHUP");
_Static_assert(CNET_EPOLLRDHUP == EPOLLRDHUP, "EPOLLRDHUP");
_Static_assert(CNET_EAGAIN == EAGAIN && CNET_EINTR == EINTR && CNET_EINVAL == EINVAL, "errno");
_Static_assert(CNET_EINPROGRESS == EINPROGRESS && CNET_ECONNABORTED == ECONNABORTED, "errno");
_Static_assert(CNET_ECONNRESET == ECONNRESET && CNET_EMFILE == EMFILE && CNET_ENFILE == ENFILE, "errno");
_Static_assert(CNET_EPIPE == EPIPE && CNET_ENOBUFS == ENOBUFS && CNET_ENOMEM == ENOMEM, "errno");

_Static_assert(CNET_EPOLLPRI == EPOLLPRI, "epoll");

int cnet_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int cnet_epoll_add(int epfd, int fd, uint64_t token) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLPRI | EPOLLET;
    ev.data.u64 = token;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int cnet_epoll_del(int epfd, int fd) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &ev);
}

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

static int pwait2_missing = 0;

int cnet_epoll_wait(int epfd, cnet_event *out, int max, int64_t timeout_ns) {
    struct epoll_event evs[256];
    if (max > 256) max = 256;
    int n = -1;
    if (timeout_ns >= 0 && !pwait2_missing) {
        struct timespec ts = {.tv_sec = timeout_ns / 1000000000, .tv_nsec = timeout_ns % 1000000000};
        n = (int)syscall(SYS_epoll_pwait2, epfd, evs, max, &ts, NULL, 0);
        if (n < 0 && errno == ENOSYS) pwait2_missing = 1;
    }
    if (timeout_ns < 0 || pwait2_missing) {
        // Milliseconds, rounded up, so a wait is never shorter than asked (Go does the same).
        int ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
        n = epoll_wait(epfd, evs, max, ms);
    }
    for (int i = 0; i < n; i++) {
        out[i].token = evs[i].data.u64;
        out[i].events = evs[i].events;
    }
    return n;
}

int cnet_eventfd(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }

int cnet_eventfd_signal(int fd) {
    uint64_t one = 1;
    ssize_t n;
    do { n = write(fd, &one, sizeof one); } while (n < 0 && errno == EINTR);
    return n == sizeof one || errno == EAGAIN ? 0 : -1;
}

void cnet_eventfd_drain(int fd) {
    uint64_t value;
    ssize_t n;
    do { n = read(fd, &value, sizeof value); } while (n < 0 && errno == EINTR);
}

static __thread void *thread_tag;
void cnet_set_thread_tag(void *tag) { thread_tag = tag; }
void *cnet_thread_tag(void) { return thread_tag; }
static __thread int thread_dispatching;
void cnet_set_thread_dispatching(int on) { thread_dispatching = on; }
void cnet_set_thread_name(const char *name) { pthread_setname_np(pthread_self(), name); }
int cnet_thread_dispatching(void) { return thread_dispatching; }

static __thread void *thread_scratch;
void *cnet_thread_scratch(void) {
    if (!thread_scratch) thread_scratch = malloc(CNET_SCRATCH_SIZE);
    return thread_scratch;
}

int cnet_accept4(int fd, void *addr, uint32_t *addrlen) {
    return accept4(fd, (struct sockaddr *)addr, (socklen_t *)addrlen, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int cnet_socket_nonblocking(int domain, int type) {
    return socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

int cnet_pipe2(int fds[2]) { return pipe2(fds, O_NONBLOCK | O_CLOEXEC); }

int cnet_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int cnet_set_pipe_size(int fd, int size) { return fcntl(fd, F_SETPIPE_SZ, size); }

ssize_t cnet_splice(int fd_in, int fd_out, size_t len) {
    return splice(fd_in, NULL, fd_out, NULL, len, SPLICE_F_NONBLOCK);
}

ssize_t cnet_send(int fd, const void *buf, size_t len) {
    return send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

int cnet_set_linger_zero(int fd) {
    struct linger l = {.l_onoff = 1, .l_linger = 0};
    return setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

int cnet_set_keepalive(int fd, int idle_seconds) {
    int on = idle_seconds > 0;
    if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) < 0) return -1;
    if (!on) return 0;
    if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle_seconds, sizeof idle_seconds) < 0) return -1;
    return setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &idle_seconds, sizeof idle_seconds);
}

void cnet_ignore_sigpipe(void) { signal(SIGPIPE, SIG_IGN); }

// MARK: A small mutex on one 32-bit word
//
// The lock of NetCore's `Locked`: one word instead of a 40-byte pthread_mutex_t, and an
// uncontended lock and unlock of one atomic instruction each. States: 0 free, 1 held, 2 held
// and somebody may sleep on it (the classic futex mutex, "Futexes Are Tricky", mutex 3).
// It lives in this file, not inline in the header, so that ThreadSanitizer, which instruments
// what clang compiles here, sees every acquire and release.

void cnet_mutex_lock(int32_t *word) {
    int32_t expected = 0;
    if (__atomic_compare_exchange_n(word, &expected, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return;
    // Held: the holders of these locks never block inside, so spin briefly before sleeping.
    for (int i = 0; i < 100; i++) {
        expected = 0;
        if (__atomic_load_n(word, __ATOMIC_RELAXED) == 0
            && __atomic_compare_exchange_n(word, &expected, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        __asm__ __volatile__("yield");
#endif
    }
    // Mark the lock contended; whoever releases it then wakes a sleeper.
    while (__atomic_exchange_n(word, 2, __ATOMIC_ACQUIRE) != 0) {
        syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
    }
}

void cnet_mutex_unlock(int32_t *word) {
    if (__atomic_exchange_n(word, 0, __ATOMIC_RELEASE) == 2) {
        syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
}

// MARK: Wait ids

static uint64_t wait_id_blocks;  // atomic: blocks handed out so far
static __thread uint64_t wait_id_next, wait_id_end;

uint64_t cnet_next_wait_id(void) {
    if (wait_id_next == wait_id_end) {
        // A block of 2^20 ids per refill; the first block starts at 1 << 20, so 0 is never an id.
        uint64_t block = __atomic_add_fetch(&wait_id_blocks, 1, __ATOMIC_RELAXED);
        wait_id_next = block << 20;
        wait_id_end = wait_id_next + (1u << 20);
    }
    return wait_id_next++;
}

int cnet_open_dev_null(void) {
    return open("/dev/null", O_RDONLY | O_CLOEXEC);
}
