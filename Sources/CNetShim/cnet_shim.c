// Thin wrappers over Linux-only calls; see CNetShim.h for why _GNU_SOURCE lives here.
#define _GNU_SOURCE
#include "CNetShim.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/epoll.h>
#include <stdlib.h>
#include <sys/eventfd.h>
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

int cnet_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int cnet_epoll_add(int epfd, int fd, uint64_t token) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
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

int cnet_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

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
