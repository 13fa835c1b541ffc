// Thin wrappers over the Linux calls of CSyscall.h; see there for why _GNU_SOURCE lives here.
#define _GNU_SOURCE
#include "CSyscall.h"

#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

_Static_assert(CSYS_EPOLLIN == EPOLLIN && CSYS_EPOLLPRI == EPOLLPRI && CSYS_EPOLLOUT == EPOLLOUT, "EPOLL");
_Static_assert(CSYS_EPOLLERR == EPOLLERR && CSYS_EPOLLHUP == EPOLLHUP && CSYS_EPOLLRDHUP == EPOLLRDHUP, "EPOLL");
_Static_assert(CSYS_EPOLLEXCLUSIVE == EPOLLEXCLUSIVE && CSYS_EPOLLONESHOT == EPOLLONESHOT, "EPOLL");
_Static_assert(CSYS_EPOLLET == (uint32_t)EPOLLET, "EPOLLET");
_Static_assert(CSYS_EPOLL_CTL_ADD == EPOLL_CTL_ADD && CSYS_EPOLL_CTL_DEL == EPOLL_CTL_DEL, "EPOLL_CTL");
_Static_assert(CSYS_EPOLL_CTL_MOD == EPOLL_CTL_MOD && CSYS_EPOLL_CLOEXEC == EPOLL_CLOEXEC, "EPOLL_CTL");
_Static_assert(CSYS_SOCK_NONBLOCK == SOCK_NONBLOCK && CSYS_SOCK_CLOEXEC == SOCK_CLOEXEC, "SOCK");

int csys_epoll_create1(int flags) { return epoll_create1(flags); }

int csys_epoll_ctl(int epfd, int op, int fd, uint32_t events) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.fd = fd;
    return epoll_ctl(epfd, op, fd, &ev);
}

int csys_epoll_wait(int epfd, csys_epoll_event *out, int max, int timeout_ms) {
    struct epoll_event evs[CSYS_EPOLL_MAX_EVENTS];
    if (max > CSYS_EPOLL_MAX_EVENTS) max = CSYS_EPOLL_MAX_EVENTS;
    int n = epoll_wait(epfd, evs, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        out[i].fd = evs[i].data.fd;
        out[i].events = evs[i].events;
    }
    return n;
}

int csys_accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags) {
    return accept4(fd, addr, addrlen, flags);
}
