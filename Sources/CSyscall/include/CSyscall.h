// The Linux calls and constants the Syscall module needs that Swift's Glibc module does not
// export: epoll (whose `struct epoll_event` is packed on x86_64, so it is unpacked here),
// accept4, and the flag values.
//
// `_GNU_SOURCE` must not appear in this header (the Clang module would clash with SwiftGlibc);
// it is defined only in csyscall.c, which calls the real functions.
#ifndef CSYSCALL_H
#define CSYSCALL_H

#include <stdint.h>
#include <sys/socket.h>

/// One readiness event, unpacked: the descriptor it is about and what is ready.
typedef struct {
    int32_t fd;
    uint32_t events;
} csys_epoll_event;

enum {
    CSYS_EPOLLIN = 0x001,
    CSYS_EPOLLPRI = 0x002,
    CSYS_EPOLLOUT = 0x004,
    CSYS_EPOLLERR = 0x008,
    CSYS_EPOLLHUP = 0x010,
    CSYS_EPOLLRDHUP = 0x2000,
    CSYS_EPOLLEXCLUSIVE = 0x10000000,
    CSYS_EPOLLONESHOT = 0x40000000,
    CSYS_EPOLL_CTL_ADD = 1,
    CSYS_EPOLL_CTL_DEL = 2,
    CSYS_EPOLL_CTL_MOD = 3,
    CSYS_EPOLL_CLOEXEC = 02000000,
    CSYS_SOCK_NONBLOCK = 04000,
    CSYS_SOCK_CLOEXEC = 02000000,
    /// The most events one csys_epoll_wait call returns.
    CSYS_EPOLL_MAX_EVENTS = 1024,
};
/// EPOLLET is bit 31, which does not fit an enum of type int.
#define CSYS_EPOLLET 0x80000000u

/// epoll_create1(flags).
int csys_epoll_create1(int flags);
/// epoll_ctl(epfd, op, fd, &{events, data.fd = fd}).
int csys_epoll_ctl(int epfd, int op, int fd, uint32_t events);
/// epoll_wait into `out` (at most CSYS_EPOLL_MAX_EVENTS at a time), unpacked.
int csys_epoll_wait(int epfd, csys_epoll_event *out, int max, int timeout_ms);
/// accept4(fd, addr, addrlen, flags).
int csys_accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags);

#endif
