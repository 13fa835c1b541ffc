// The WebSocket fan-out mode (lesson 13's chat, RFC 6455): one broadcast in flight for the room.
//
//   netload wsfan ADDR CONNS SECS WARMUP SZ [SILENT]
//                                             CONNS clients upgrade at GET /chat; client i % CONNS
//                                             sends a SZ-byte text, and the broadcast counts when
//                                             every client (the sender too) has it back; then the
//                                             next client speaks. Prints ops (broadcasts), the
//                                             fan-out latency (send to the last delivery) and
//                                             deliveries (ops x CONNS, what the server wrote).
//                                             SILENT more clients upgrade and then read nothing:
//                                             a hub that waits for them stalls the room.
//
// Client frames are masked with the key 0 (legal, and the payload goes out as it is); pings are
// answered with pongs. A broadcast that has not reached everyone within 5 s is an error and
// ends the run: a chat that drops messages cannot be timed.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "netload.h"

#define WS_IN_MAX 65536
#define WS_STALL_SECS 5.0

// The accept value RFC 6455 §1.3 gives for its sample key, so no SHA-1 is needed here.
static const char ws_key[] = "dGhlIHNhbXBsZSBub25jZQ==";
static const char ws_accept[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

typedef struct {
    int fd;
    size_t got;
    unsigned char in[WS_IN_MAX];
} wsconn_t;

// A masked client frame (key 0) of `opcode` with `len` bytes of `payload` into `out`; its size.
static size_t ws_frame(unsigned char *out, int opcode, const unsigned char *payload, size_t len) {
    size_t n = 0;
    out[n++] = (unsigned char)(0x80 | opcode);
    if (len < 126) {
        out[n++] = (unsigned char)(0x80 | len);
    } else {
        out[n++] = 0x80 | 126;
        out[n++] = (unsigned char)(len >> 8);
        out[n++] = (unsigned char)len;
    }
    memset(out + n, 0, 4);
    n += 4;
    memcpy(out + n, payload, len);
    return n + len;
}

// Writes all of `buf` to a non-blocking socket, waiting for room up to 1 s; 0 on success.
static int write_all(int fd, const unsigned char *buf, size_t len) {
    double until = now_s() + 1.0;
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w > 0) { buf += w; len -= (size_t)w; continue; }
        if (w < 0 && (errno == EAGAIN || errno == EINTR) && now_s() < until) { usleep(100); continue; }
        return -1;
    }
    return 0;
}

// Connects and upgrades; the connection's fd (non-blocking), or -1. Bytes after the 101's head
// stay in c->in.
static int ws_open(wsconn_t *c, const struct sockaddr_in *sa, const char *host) {
    int fd = blocking_connect(sa);
    if (fd < 0) return -1;
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char request[512];
    int n = snprintf(request, sizeof request,
        "GET /chat HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", host, ws_key);
    if (write(fd, request, (size_t)n) != n) { close(fd); return -1; }
    c->got = 0;
    for (;;) {
        if (c->got == WS_IN_MAX - 1) { close(fd); return -1; }
        ssize_t r = read(fd, c->in + c->got, WS_IN_MAX - 1 - c->got);
        if (r <= 0) { close(fd); return -1; }
        c->got += (size_t)r;
        c->in[c->got] = 0;
        char *end = strstr((char *)c->in, "\r\n\r\n");
        if (!end) continue;
        size_t head = (size_t)(end - (char *)c->in) + 4;
        *end = 0;
        if (strncmp((char *)c->in, "HTTP/1.1 101", 12) != 0 || !strstr((char *)c->in, ws_accept)) { close(fd); return -1; }
        memmove(c->in, c->in + head, c->got - head);
        c->got -= head;
        break;
    }
    set_nonblock(fd);
    c->fd = fd;
    return fd;
}

int mode_wsfan(int argc, char **argv) {
    if (argc < 7) return 1;
    struct sockaddr_in sa = parse_addr(argv[2]);
    int conns = atoi(argv[3]);
    double secs = atof(argv[4]), warm = atof(argv[5]);
    size_t size = (size_t)atoi(argv[6]);
    if (conns < 1) conns = 1;
    if (size < 16) size = 16;
    if (size > 4000) size = 4000;
    int silent = argc > 7 ? atoi(argv[7]) : 0;
    if (silent < 0) silent = 0;
    wsconn_t *c = calloc((size_t)(conns + silent), sizeof *c);
    if (!c) die("calloc");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    // The silent ones first: every broadcast the room sends is also theirs.
    for (int i = conns + silent - 1; i >= 0; i--) {
        if (ws_open(&c[i], &sa, argv[2]) < 0) {
            printf("ops=0 secs=0 cpu=0 errors=1 upgrade=failed\n");
            return 0;
        }
        if (i >= conns) continue;  // never read: the kernel's buffers fill, then the server's queue
        struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &ev);
    }
    unsigned char payload[4000], frame[4096];
    memset(payload, 'x', sizeof payload);
    size_t cap = 1 << 16, count = 0;
    double *lat = malloc(cap * sizeof *lat);
    hist_t hist = {0};
    long long ops = 0, seq = 0;
    int errors = 0, remaining = 0;
    double start = now_s(), measure_from = start + warm, end = measure_from + secs, c0 = 0, t0 = 0, sent_at = 0;
    int measuring = 0;
    char tag[17];
    struct epoll_event events[512];
    for (;;) {
        double t = now_s();
        if (!measuring && t >= measure_from) { measuring = 1; c0 = cpu_s(); t0 = t; }
        if (remaining == 0) {
            if (t >= end) break;
            snprintf(tag, sizeof tag, "%016lld", seq);
            memcpy(payload, tag, 16);
            size_t n = ws_frame(frame, 1, payload, size);
            if (write_all(c[seq % conns].fd, frame, n) != 0) { errors++; break; }
            sent_at = now_s();
            remaining = conns;
        } else if (t - sent_at > WS_STALL_SECS) {
            errors++;
            break;
        }
        int n = epoll_wait(ep, events, 512, 100);
        int broken = 0;
        for (int k = 0; k < n && !broken; k++) {
            wsconn_t *p = &c[events[k].data.u32];
            for (;;) {
                ssize_t r = read(p->fd, p->in + p->got, WS_IN_MAX - p->got);
                if (r < 0 && errno == EAGAIN) break;
                if (r <= 0) { broken = 1; break; }
                p->got += (size_t)r;
                // Every whole frame in the buffer. Server frames are unmasked.
                while (p->got >= 2) {
                    int opcode = p->in[0] & 0x0f;
                    size_t len = p->in[1] & 0x7f, head = 2;
                    if (p->in[1] & 0x80) { broken = 1; break; }
                    if (len == 126) {
                        if (p->got < 4) break;
                        len = (size_t)p->in[2] << 8 | p->in[3];
                        head = 4;
                    } else if (len == 127) {
                        broken = 1;  // nothing this mode sends comes back that long
                        break;
                    }
                    if (head + len > WS_IN_MAX) { broken = 1; break; }
                    if (p->got < head + len) break;
                    const unsigned char *body = p->in + head;
                    if (opcode == 0x9) {
                        unsigned char pong[140];
                        size_t m = ws_frame(pong, 0xA, body, len < 125 ? len : 125);
                        if (write_all(p->fd, pong, m) != 0) broken = 1;
                    } else if (opcode == 0x8) {
                        broken = 1;
                    } else if (opcode == 0x1 && len >= 16 && memcmp(body, tag, 16) == 0 && remaining > 0) {
                        if (--remaining == 0) {
                            double t1 = now_s();
                            if (measuring && t1 < end) {
                                ops++;
                                if (count == cap) { cap *= 2; lat = realloc(lat, cap * sizeof *lat); }
                                double us = (t1 - sent_at) * 1e6;
                                lat[count++] = us;
                                hist_add(&hist, us);
                            }
                            seq++;
                        }
                    }
                    memmove(p->in, p->in + head + len, p->got - head - len);
                    p->got -= head + len;
                }
                if (broken) break;
            }
        }
        if (broken) { errors++; break; }
    }
    double elapsed = now_s() - t0, cpu = cpu_s() - c0;
    if (!measuring) elapsed = 1e-9;
    printf("ops=%lld secs=%.6f rps=%.1f cpu=%.6f errors=%d deliveries=%lld", ops, elapsed, ops / elapsed, cpu, errors, ops * conns);
    print_percentiles(lat, count);
    hist_print(&hist);
    printf("\n");
    for (int i = 0; i < conns + silent; i++) close(c[i].fd);
    return 0;
}
