// The key-value modes (docs/kv-protocol.md): length-prefixed protobuf frames, one request in
// flight per connection.
//
//   netload kv ADDR CONNS SECS WARMUP VSIZE   conn i alternates put "k<i>"=VSIZE bytes and get "k<i>"
//   netload kvidle ADDR CONNS HOLDSECS        open CONNS conns, one put each, "ready", hold HOLDSECS
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "netload.h"

// A request frame: length, body {key, value, kind}, footer. Returns its size.
static size_t kv_frame(unsigned char *out, const char *key, const char *value, size_t vlen, int kind) {
    size_t klen = strlen(key), n = 4;
    out[n++] = 0x0a; out[n++] = (unsigned char)klen; memcpy(out + n, key, klen); n += klen;
    if (vlen) { out[n++] = 0x12; out[n++] = (unsigned char)vlen; memcpy(out + n, value, vlen); n += vlen; }
    out[n++] = 0x18; out[n++] = (unsigned char)kind;
    memcpy(out + n, "\r\n\r\n", 4); n += 4;
    uint32_t length = (uint32_t)(n - 4);
    for (int i = 0; i < 4; i++) out[i] = (unsigned char)(length >> (8 * i));
    return n;
}

// The reply's status field (4): 0 when absent (OK), else its varint; -1 when the body is malformed.
static int kv_status(const unsigned char *body, size_t len) {
    size_t i = 0;
    int status = 0;
    while (i < len) {
        unsigned tag = body[i++];
        if ((tag & 7) == 0) {
            unsigned long long v = 0;
            int shift = 0;
            while (i < len && shift < 64) { v |= (unsigned long long)(body[i] & 0x7f) << shift; shift += 7; if (!(body[i++] & 0x80)) break; }
            if ((tag >> 3) == 4) status = (int)v;
        } else if ((tag & 7) == 2) {
            if (i >= len) return -1;
            size_t l = body[i++];
            if (l & 0x80) return -1;  // keys and values here are short
            i += l;
        } else {
            return -1;
        }
    }
    return i == len ? status : -1;
}

#define KV_REPLY_MAX 4096

typedef struct {
    int fd;
    int next_get;  // 0: put next, 1: get next
    size_t got;
    double sent_at;
    long long answered;  // replies in the measured window
    char key[16];
    unsigned char in[KV_REPLY_MAX];
} kvconn_t;

static unsigned char kv_value[128];

static int kv_send(kvconn_t *c, size_t vsize) {
    unsigned char frame[256];
    size_t n = kv_frame(frame, c->key, (const char *)kv_value, c->next_get ? 0 : vsize, c->next_get ? 2 : 1);
    c->sent_at = now_s();
    return write(c->fd, frame, n) == (ssize_t)n ? 0 : -1;
}

int mode_kv(int argc, char **argv) {
    if (argc < 7) return 1;
    struct sockaddr_in sa = parse_addr(argv[2]);
    int conns = atoi(argv[3]);
    double secs = atof(argv[4]), warm = atof(argv[5]);
    size_t vsize = (size_t)atoi(argv[6]);
    if (vsize > 100) vsize = 100;
    memset(kv_value, 'v', sizeof kv_value);
    kvconn_t *c = calloc(conns, sizeof *c);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < conns; i++) {
        c[i].fd = blocking_connect(&sa);
        if (c[i].fd < 0) die("connect");
        set_nonblock(c[i].fd);
        snprintf(c[i].key, sizeof c[i].key, "k%d", i);
        struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &ev);
    }
    size_t cap = 1 << 20, count = 0;
    double *lat = malloc(cap * sizeof *lat);
    hist_t hist = {0};
    long long ops = 0;
    int errors = 0, notok = 0, alive = conns;
    double start = now_s(), measure_from = start + warm, end = measure_from + secs, c0 = 0, t0 = 0;
    int measuring = 0;
    for (int i = 0; i < conns; i++) if (kv_send(&c[i], vsize) != 0) errors++;
    struct epoll_event events[512];
    for (;;) {
        double t = now_s();
        if (!measuring && t >= measure_from) { measuring = 1; c0 = cpu_s(); t0 = t; }
        if (t >= end || alive == 0) break;
        int n = epoll_wait(ep, events, 512, 100);
        for (int k = 0; k < n; k++) {
            kvconn_t *p = &c[events[k].data.u32];
            if (p->fd < 0) continue;
            for (;;) {
                ssize_t r = read(p->fd, p->in + p->got, KV_REPLY_MAX - p->got);
                if (r < 0 && errno == EAGAIN) break;
                if (r <= 0) { errors++; close(p->fd); p->fd = -1; alive--; break; }
                p->got += (size_t)r;
                // Every whole reply in the buffer (one in flight, so at most one).
                while (p->got >= 4) {
                    uint32_t length = p->in[0] | p->in[1] << 8 | p->in[2] << 16 | (uint32_t)p->in[3] << 24;
                    if (length < 4 || length > KV_REPLY_MAX - 4) { errors++; p->got = 0; close(p->fd); p->fd = -1; alive--; break; }
                    if (p->got < 4 + length) break;
                    int status = memcmp(p->in + length, "\r\n\r\n", 4) == 0 ? kv_status(p->in + 4, length - 4) : -1;
                    if (status != 0) notok++;
                    double t1 = now_s();
                    if (measuring && t1 < end) {
                        ops++;
                        p->answered++;
                        if (count == cap) { cap *= 2; lat = realloc(lat, cap * sizeof *lat); }
                        double us = (t1 - p->sent_at) * 1e6;
                        lat[count++] = us;
                        hist_add(&hist, us);
                    }
                    memmove(p->in, p->in + 4 + length, p->got - 4 - length);
                    p->got -= 4 + length;
                    p->next_get = !p->next_get;
                    if (kv_send(p, vsize) != 0) { errors++; close(p->fd); p->fd = -1; alive--; break; }
                }
                if (p->fd < 0) break;
            }
        }
    }
    double elapsed = now_s() - t0, cpu = cpu_s() - c0;
    if (!measuring) elapsed = 1e-9;
    // Requests unanswered at the end count with their age (see mode_echo).
    int answered = 0;
    for (int i = 0; i < conns; i++) {
        if (c[i].answered > 0) answered++;
        if (measuring && c[i].fd >= 0 && c[i].sent_at < end) {
            double age = (end - (c[i].sent_at > t0 ? c[i].sent_at : t0)) * 1e6;
            if (count == cap) { cap *= 2; lat = realloc(lat, cap * sizeof *lat); }
            lat[count++] = age;
            hist_add(&hist, age);
        }
    }
    printf("answered=%d ", answered);
    printf("ops=%lld secs=%.6f rps=%.1f cpu=%.6f errors=%d notok=%d", ops, elapsed, ops / elapsed, cpu, errors, notok);
    print_percentiles(lat, count);
    hist_print(&hist);
    printf("\n");
    return 0;
}

int mode_kvidle(int argc, char **argv) {
    if (argc < 5) return 1;
    struct sockaddr_in sa = parse_addr(argv[2]);
    int conns = atoi(argv[3]);
    double hold = atof(argv[4]);
    int *fds = calloc(conns, sizeof *fds);
    int ok = 0, failed = 0;
    // Blocking connect + one put each: when this prints "ready", every connection has been served once.
    for (int i = 0; i < conns; i++) {
        fds[i] = blocking_connect(&sa);
        if (fds[i] < 0) { failed = conns - ok; break; }
        struct timeval tv = {.tv_sec = 2};
        setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char key[16];
        snprintf(key, sizeof key, "i%d", i);
        unsigned char frame[64], in[256];
        size_t n = kv_frame(frame, key, "idle", 4, 1);
        size_t got = 0, want = 8;
        if (write(fds[i], frame, n) == (ssize_t)n) {
            while (got < want) {
                ssize_t r = read(fds[i], in + got, sizeof in - got);
                if (r <= 0) break;
                got += (size_t)r;
                if (got >= 4) want = 4 + (in[0] | in[1] << 8);
                if (want > sizeof in) break;
            }
        }
        if (got >= 8 && got == want) ok++; else { close(fds[i]); fds[i] = -1; failed = conns - ok; break; }
    }
    printf("ready ok=%d failed=%d\n", ok, failed);
    fflush(stdout);
    struct timespec ts = {.tv_sec = (time_t)hold, .tv_nsec = (long)((hold - (time_t)hold) * 1e9)};
    nanosleep(&ts, NULL);
    return 0;
}
