// netload: the load generator (and the non-NetCore comparison servers) for netbench.
// Plain C over epoll (and blocking threads for TLS, through OpenSSL), so the load generator
// is never the bottleneck. Every mode prints one line of key=value results on stdout.
//
//   netload sink ADDR                       accept, discard (recv MSG_TRUNC; NETLOAD_SINK_READ=1: read), close at EOF
//   netload send ADDR STREAMS BYTES [SECS [LINE]]  STREAMS conns write BYTES in total (or for SECS), closeWrite, wait EOF
//                                           (a thread per CPU); LINE: a newline every LINE bytes;
//                                           NETLOAD_SEND_PREFIX=FILE: each conn first writes FILE (e.g. a ClientHello),
//                                           not counted in BYTES
//   netload echo ADDR CONNS SECS WARMUP SZ  ping-pong: SZ-byte messages, one in flight per conn
//   netload idle ADDR CONNS HOLDSECS        open CONNS conns, one echo each, "ready", hold until stdin EOF
//   netload connrate ADDR SECS CONC         connect, one 64-byte echo, close; CONC at a time
//   netload threadecho ADDR                 thread-per-connection blocking echo server ("port N")
//   netload tlshs ADDR THREADS SECS [echo]  TLS 1.3 full handshakes + "GET /1" (echo: 64 bytes back), per second
//   netload tlsbulk ADDR BYTES              one TLS conn, "GET /BYTES", read to EOF
//   netload kv ADDR CONNS SECS WARMUP VSIZE key-value put/get, one in flight per conn (kv.c)
//   netload kvidle ADDR CONNS HOLDSECS      open CONNS conns, one put each, "ready", hold (kv.c)
//   netload wsfan ADDR CONNS SECS WARMUP SZ WebSocket chat: one SZ-byte broadcast in flight, timed to
//                                           its last delivery (ws.c)
//
// echo, kv and wsfan add maxus= and hist=c0,c1,… (log2 buckets of µs, see netload.h) to their line.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "netload.h"

double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

double cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

void die(const char *what) {
    fprintf(stderr, "netload: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void raise_nofile(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

struct sockaddr_in parse_addr(const char *text) {
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    char host[64];
    const char *colon = strrchr(text, ':');
    if (!colon || colon - text >= (long)sizeof host) { fprintf(stderr, "netload: bad address %s\n", text); exit(2); }
    memcpy(host, text, colon - text);
    host[colon - text] = 0;
    if (host[0] == 0) strcpy(host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) { fprintf(stderr, "netload: bad host %s\n", host); exit(2); }
    sa.sin_port = htons((uint16_t)atoi(colon + 1));
    return sa;
}

void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

static void set_nodelay(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/// A non-blocking socket with connect() started; -1 on immediate failure.
static int start_connect(const struct sockaddr_in *sa) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    set_nodelay(fd);
    if (connect(fd, (const struct sockaddr *)sa, sizeof *sa) != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

int blocking_connect(const struct sockaddr_in *sa) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    set_nodelay(fd);
    if (connect(fd, (const struct sockaddr *)sa, sizeof *sa) != 0) { close(fd); return -1; }
    return fd;
}

static int listen_on(const char *addr) {
    struct sockaddr_in sa = parse_addr(addr);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) die("bind");
    if (listen(fd, 4096) != 0) die("listen");
    socklen_t len = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &len);
    printf("port %d\n", ntohs(sa.sin_port));
    fflush(stdout);
    return fd;
}

// MARK: sink

static int mode_sink(int argc, char **argv) {
    if (argc < 3) return 1;
    int lfd = listen_on(argv[2]);
    set_nonblock(lfd);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    static char buf[1 << 18];
    struct epoll_event events[256];
    // By default the sink discards what arrives with recv(MSG_TRUNC): the kernel frees the
    // bytes without copying them to user space, so the load takes as little of the machine's
    // CPU as it can and the proxies in between are what is measured. NETLOAD_SINK_READ=1 reads
    // them into a buffer instead, as a real receiver would (and as netbench did before).
    int discard = getenv("NETLOAD_SINK_READ") == NULL;
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == lfd) {
                int c;
                while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                }
                continue;
            }
            for (;;) {
                ssize_t r = discard ? recv(fd, NULL, 1 << 20, MSG_TRUNC) : read(fd, buf, sizeof buf);
                if (r > 0) continue;
                if (r < 0 && errno == EAGAIN) break;
                close(fd);  // EOF or error: closing tells the sender (through any proxy) we have it all
                break;
            }
        }
    }
}

// MARK: send

typedef struct {
    int fd;
    long long left;
    int state;  // 0 connecting/writing, 1 waiting for EOF, 2 done
    int prefix_sent;  // bytes of send_prefix written so far
} stream_t;

typedef struct {
    stream_t *streams;
    int count;
    long long sent;
    int errors;
} sender_t;

// With `send … SECS`: when the streams stop writing (and half-close), however much is left.
static double send_deadline = 0;

// What every stream sends: filled once, then only read, by all the sending threads.
static char send_buf[1 << 18];
// What every stream sends first (NETLOAD_SEND_PREFIX), at most 64 KiB.
static char send_prefix[1 << 16];
static int send_prefix_len;

// One sending thread: an epoll loop over its share of the streams.
static void *send_loop(void *arg) {
    sender_t *me = arg;
    char *buf = send_buf;
    char rbuf[1 << 12];
    stream_t *s = me->streams;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < me->count; i++) {
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, s[i].fd, &ev);
    }
    int done = 0;
    struct epoll_event events[256];
    while (done < me->count) {
        int n = epoll_wait(ep, events, 256, 30000);
        if (n == 0) { fprintf(stderr, "netload send: stalled 30 s\n"); me->errors++; break; }
        for (int k = 0; k < n; k++) {
            stream_t *st = &s[events[k].data.u32];
            if (st->state == 0) {
                while (st->prefix_sent < send_prefix_len) {
                    ssize_t w = write(st->fd, send_prefix + st->prefix_sent, send_prefix_len - st->prefix_sent);
                    if (w > 0) { st->prefix_sent += (int)w; continue; }
                    if (w < 0 && errno == EAGAIN) break;
                    me->errors++; st->state = 2; done++; close(st->fd); break;
                }
                while (st->state == 0 && st->prefix_sent == send_prefix_len && st->left > 0) {
                    if (send_deadline > 0 && now_s() >= send_deadline) { st->left = 0; break; }
                    ssize_t w = write(st->fd, buf, st->left < (long long)sizeof send_buf ? st->left : (long long)sizeof send_buf);
                    if (w > 0) { st->left -= w; me->sent += w; continue; }
                    if (w < 0 && errno == EAGAIN) break;
                    me->errors++; st->state = 2; done++; close(st->fd); break;
                }
                if (st->state == 0 && st->prefix_sent == send_prefix_len && st->left == 0) { shutdown(st->fd, SHUT_WR); st->state = 1; }
            }
            if (st->state == 1) {
                for (;;) {
                    ssize_t r = read(st->fd, rbuf, sizeof rbuf);
                    if (r > 0) continue;
                    if (r < 0 && errno == EAGAIN) break;
                    if (r < 0) me->errors++;
                    st->state = 2; done++; close(st->fd); break;
                }
            }
        }
    }
    close(ep);
    return NULL;
}

// STREAMS connections share BYTES, written by one thread per CPU (at most one per stream):
// a single thread copying from user space tops out near one core, and with eight streams on
// this machine it, not the proxies, was what limited the measurement.
static int mode_send(int argc, char **argv) {
    if (argc < 5) return 1;
    struct sockaddr_in sa = parse_addr(argv[2]);
    int streams = atoi(argv[3]);
    long long total = atoll(argv[4]);
    if (argc > 5) send_deadline = now_s() + atof(argv[5]);
    memset(send_buf, 'x', sizeof send_buf);
    // LINE: a newline every LINE bytes, so a line forwarder (lesson 12) sees lines of at most
    // LINE bytes (at most twice that where a short write cuts one).
    if (argc > 6) {
        long line = atol(argv[6]);
        if (line < 2 || line > (long)sizeof send_buf) { fprintf(stderr, "netload: bad LINE %s\n", argv[6]); return 1; }
        for (long i = line - 1; i < (long)sizeof send_buf; i += line) send_buf[i] = '\n';
    }
    const char *prefix_path = getenv("NETLOAD_SEND_PREFIX");
    if (prefix_path) {
        FILE *f = fopen(prefix_path, "rb");
        if (!f) die("NETLOAD_SEND_PREFIX");
        send_prefix_len = (int)fread(send_prefix, 1, sizeof send_prefix, f);
        fclose(f);
    }
    int threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (getenv("NETLOAD_SEND_THREADS")) threads = atoi(getenv("NETLOAD_SEND_THREADS"));
    if (threads > streams) threads = streams;
    if (threads < 1) threads = 1;
    stream_t *s = calloc(streams, sizeof *s);
    double t0 = now_s(), c0 = cpu_s();
    for (int i = 0; i < streams; i++) {
        s[i].fd = start_connect(&sa);
        if (s[i].fd < 0) die("connect");
        s[i].left = total / streams + (i == 0 ? total % streams : 0);
    }
    // Thread t takes a contiguous run of streams, so that its epoll indexes stay small.
    sender_t *senders = calloc(threads, sizeof *senders);
    pthread_t *ids = calloc(threads, sizeof *ids);
    int next = 0;
    for (int t = 0; t < threads; t++) {
        int count = streams / threads + (t < streams % threads ? 1 : 0);
        senders[t].streams = s + next;
        senders[t].count = count;
        next += count;
        if (pthread_create(&ids[t], NULL, send_loop, &senders[t]) != 0) die("pthread_create");
    }
    long long sent = 0;
    int errors = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(ids[t], NULL);
        sent += senders[t].sent;
        errors += senders[t].errors;
    }
    double secs = now_s() - t0;
    printf("bytes=%lld secs=%.6f cpu=%.6f errors=%d threads=%d\n", sent, secs, cpu_s() - c0, errors, threads);
    return errors ? 3 : 0;
}

// MARK: echo (ping-pong)

typedef struct {
    int fd;
    int got;
    double sent_at;
    int connected;
    long long answered;  // requests answered in the measured window
} pp_t;

static int mode_echo(int argc, char **argv) {
    if (argc < 7) return 1;
    struct sockaddr_in sa = parse_addr(argv[2]);
    int conns = atoi(argv[3]);
    double secs = atof(argv[4]), warm = atof(argv[5]);
    int size = atoi(argv[6]);
    char msg[4096], rbuf[4096];
    memset(msg, 'e', sizeof msg);
    pp_t *c = calloc(conns, sizeof *c);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    // Connect in batches so a listen backlog never overflows.
    for (int i = 0; i < conns; i++) {
        c[i].fd = blocking_connect(&sa);
        if (c[i].fd < 0) die("connect");
        set_nonblock(c[i].fd);
        struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &ev);
    }
    size_t cap = 1 << 20, count = 0;
    double *lat = malloc(cap * sizeof *lat);
    hist_t hist = {0};
    long long reqs = 0;
    int errors = 0, alive = conns;
    double start = now_s(), measure_from = start + warm, end = measure_from + secs;
    double c0 = 0, t0 = 0;
    int measuring = 0;
    for (int i = 0; i < conns; i++) {
        c[i].sent_at = now_s();
        if (write(c[i].fd, msg, size) != size) errors++;
    }
    struct epoll_event events[512];
    for (;;) {
        double t = now_s();
        if (!measuring && t >= measure_from) { measuring = 1; c0 = cpu_s(); t0 = t; }
        if (t >= end || alive == 0) break;
        int n = epoll_wait(ep, events, 512, 100);
        for (int k = 0; k < n; k++) {
            pp_t *p = &c[events[k].data.u32];
            if (p->fd < 0) continue;
            for (;;) {
                ssize_t r = read(p->fd, rbuf, size - p->got);
                if (r > 0) {
                    p->got += r;
                    if (p->got < size) continue;
                    double t1 = now_s();
                    if (measuring && t1 < end) {
                        reqs++;
                        p->answered++;
                        if (count == cap) { cap *= 2; lat = realloc(lat, cap * sizeof *lat); }
                        lat[count++] = (t1 - p->sent_at) * 1e6;
                        hist_add(&hist, lat[count - 1]);
                    }
                    p->got = 0;
                    p->sent_at = t1;
                    if (write(p->fd, msg, size) != size) { errors++; close(p->fd); p->fd = -1; alive--; break; }
                    continue;
                }
                if (r < 0 && errno == EAGAIN) break;
                errors++; close(p->fd); p->fd = -1; alive--; break;
            }
        }
    }
    double elapsed = now_s() - t0, cpu = cpu_s() - c0;
    if (!measuring) elapsed = 1e-9;
    // A request still unanswered when the window closes counts with its age so far (as wrk
    // counts a timeout): a server that never answers 999 of 1,000 clients must not look fast
    // because the one it serves is. `answered` says how many connections got any answer.
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
    printf("reqs=%lld secs=%.6f rps=%.1f cpu=%.6f errors=%d", reqs, elapsed, reqs / elapsed, cpu, errors);
    print_percentiles(lat, count);
    hist_print(&hist);
    printf("\n");
    return 0;
}

// MARK: idle

static int mode_idle(int argc, char **argv) {
    if (argc < 5) return 1;
    struct sockaddr_in sa = parse_addr(argv[2]);
    int conns = atoi(argv[3]);
    double hold = atof(argv[4]);
    int *fds = calloc(conns, sizeof *fds);
    char msg[64], rbuf[64];
    memset(msg, 'i', sizeof msg);
    int ok = 0, failed = 0;
    // Blocking connect + one echo each: when this prints "ready", every handler is parked in a read.
    for (int i = 0; i < conns; i++) {
        fds[i] = blocking_connect(&sa);
        if (fds[i] < 0) { failed++; continue; }
        struct timeval tv = {.tv_sec = 2};
        setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        int got = 0;
        if (write(fds[i], msg, sizeof msg) == (ssize_t)sizeof msg) {
            while (got < (int)sizeof msg) {
                ssize_t r = read(fds[i], rbuf, sizeof msg - got);
                if (r <= 0) break;
                got += r;
            }
        }
        if (got == (int)sizeof msg) ok++; else { failed++; close(fds[i]); fds[i] = -1; }
        if (failed) {  // the server is out of something (descriptors): stop here, report the rest as failed
            failed = conns - ok;
            break;
        }
    }
    printf("ready ok=%d failed=%d\n", ok, failed);
    fflush(stdout);
    // Hold until stdin closes (netbench measured) or the time bound.
    struct timeval tv = {.tv_sec = (long)hold};
    fd_set set;
    FD_ZERO(&set);
    FD_SET(0, &set);
    select(1, &set, NULL, NULL, &tv);
    return 0;
}

// MARK: connrate

typedef struct {
    int fd;
    int phase;  // 0 connecting, 1 awaiting echo
    int got;
} cr_t;

static int mode_connrate(int argc, char **argv) {
    if (argc < 5) return 1;
    struct sockaddr_in sa = parse_addr(argv[2]);
    double secs = atof(argv[3]);
    int conc = atoi(argv[4]);
    char msg[64], rbuf[64];
    memset(msg, 'c', sizeof msg);
    cr_t *c = calloc(conc, sizeof *c);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    long long done = 0;
    int errors = 0;
    double t0 = now_s(), c0 = cpu_s(), end = t0 + secs;
#define CR_START(i)                                                                            \
    do {                                                                                       \
        c[i].fd = start_connect(&sa);                                                          \
        c[i].phase = 0; c[i].got = 0;                                                          \
        if (c[i].fd < 0) { errors++; break; }                                                  \
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.u32 = (uint32_t)(i)}; \
        epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &ev);                                            \
    } while (0)
    for (int i = 0; i < conc; i++) CR_START(i);
    struct epoll_event events[256];
    while (now_s() < end) {
        int n = epoll_wait(ep, events, 256, 100);
        for (int k = 0; k < n; k++) {
            int i = events[k].data.u32;
            cr_t *p = &c[i];
            if (p->fd < 0) continue;
            if (p->phase == 0) {
                if (!(events[k].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) continue;
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err || write(p->fd, msg, sizeof msg) != (ssize_t)sizeof msg) {
                    errors++; close(p->fd); CR_START(i); continue;
                }
                p->phase = 1;
            }
            for (;;) {
                ssize_t r = read(p->fd, rbuf, sizeof msg - p->got);
                if (r > 0) {
                    p->got += r;
                    if (p->got < (int)sizeof msg) continue;
                    done++;
                    close(p->fd);
                    CR_START(i);
                    break;
                }
                if (r < 0 && errno == EAGAIN) break;
                errors++; close(p->fd); CR_START(i); break;
            }
        }
        if (errors > 1000000) break;
    }
    double elapsed = now_s() - t0;
    printf("conns=%lld secs=%.6f rate=%.1f cpu=%.6f errors=%d\n", done, elapsed, done / elapsed, cpu_s() - c0, errors);
    return 0;
}

// MARK: threadecho

static void *echo_thread(void *arg) {
    int fd = (int)(intptr_t)arg;
    char buf[32 * 1024];
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r <= 0) break;
        ssize_t off = 0;
        while (off < r) {
            ssize_t w = write(fd, buf + off, r - off);
            if (w <= 0) goto out;
            off += w;
        }
    }
out:
    close(fd);
    return NULL;
}

static int mode_threadecho(int argc, char **argv) {
    if (argc < 3) return 1;
    signal(SIGPIPE, SIG_IGN);
    int lfd = listen_on(argv[2]);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (;;) {
        int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) { if (errno == EMFILE || errno == ENFILE) usleep(1000); continue; }
        set_nodelay(c);
        pthread_t t;
        int rc = pthread_create(&t, &attr, echo_thread, (void *)(intptr_t)c);
        if (rc != 0) { fprintf(stderr, "netload threadecho: pthread_create: %s\n", strerror(rc)); close(c); }
    }
}

// MARK: TLS client

static SSL_CTX *client_ctx(void) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    // One suite for every server, so they do the same work (Go would pick AES-128, OpenSSL AES-256).
    SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);  // the CertificateVerify signature is still checked
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_read_ahead(ctx, 1);  // fewer read syscalls on the client side
    return ctx;
}

/// Set by `tlshs ADDR THREADS SECS echo`.
static int tls_echo = 0;

/// One connection: full handshake, "GET /n", read to EOF. Returns bytes read, -1 on failure.
static long long tls_get(SSL_CTX *ctx, const struct sockaddr_in *sa, long long n, double *first_byte, char *proto, size_t proto_len) {
    int fd = blocking_connect(sa);
    if (fd < 0) return -1;
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, "localhost");
    long long got = -1;
    if (SSL_connect(ssl) == 1 && tls_echo) {
        // The echo variant (tlshs … echo): 64 bytes there and back, then close, for a server
        // that relays to an echo upstream rather than answering a request itself.
        char msg[64], in[64];
        memset(msg, 'h', sizeof msg);
        if (SSL_write(ssl, msg, sizeof msg) == (int)sizeof msg) {
            got = 0;
            while (got < (long long)sizeof in) {
                int r = SSL_read(ssl, in, (int)(sizeof in - got));
                if (r <= 0) { got = -1; break; }
                got += r;
            }
        }
    } else if (SSL_is_init_finished(ssl)) {
        if (proto) snprintf(proto, proto_len, "%s/%s", SSL_get_version(ssl), SSL_get_cipher_name(ssl));
        char req[64];
        int len = snprintf(req, sizeof req, "GET /%lld HTTP/1.0\r\n\r\n", n);
        if (first_byte) *first_byte = now_s();
        if (SSL_write(ssl, req, len) == len) {
            char *buf = malloc(1 << 16);
            got = 0;
            for (;;) {
                int r = SSL_read(ssl, buf, 1 << 16);
                if (r <= 0) break;
                got += r;
            }
            free(buf);
        }
    }
    SSL_free(ssl);
    close(fd);
    ERR_clear_error();
    return got;
}

typedef struct {
    struct sockaddr_in sa;
    SSL_CTX *ctx;
    double end;
    long long done;
    int errors;
} hs_arg_t;

static void *hs_thread(void *p) {
    hs_arg_t *a = p;
    while (now_s() < a->end) {
        if (tls_get(a->ctx, &a->sa, 1, NULL, NULL, 0) > 0) a->done++; else a->errors++;
    }
    return NULL;
}

static int mode_tlshs(int argc, char **argv) {
    if (argc < 5) return 1;
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_in sa = parse_addr(argv[2]);
    int threads = atoi(argv[3]);
    double secs = atof(argv[4]);
    tls_echo = argc > 5 && !strcmp(argv[5], "echo");
    SSL_CTX *ctx = client_ctx();
    char proto[128] = "?";
    if (tls_get(ctx, &sa, 1, NULL, proto, sizeof proto) <= 0) { fprintf(stderr, "netload tlshs: first connection failed\n"); }
    hs_arg_t *args = calloc(threads, sizeof *args);
    pthread_t *t = calloc(threads, sizeof *t);
    double t0 = now_s(), c0 = cpu_s();
    for (int i = 0; i < threads; i++) {
        args[i] = (hs_arg_t){.sa = sa, .ctx = ctx, .end = t0 + secs};
        pthread_create(&t[i], NULL, hs_thread, &args[i]);
    }
    long long done = 0;
    int errors = 0;
    for (int i = 0; i < threads; i++) { pthread_join(t[i], NULL); done += args[i].done; errors += args[i].errors; }
    double elapsed = now_s() - t0;
    printf("hs=%lld secs=%.6f rate=%.1f cpu=%.6f errors=%d proto=%s\n", done, elapsed, done / elapsed, cpu_s() - c0, errors, proto);
    return 0;
}

static int mode_tlsbulk(int argc, char **argv) {
    if (argc < 4) return 1;
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_in sa = parse_addr(argv[2]);
    long long n = atoll(argv[3]);
    SSL_CTX *ctx = client_ctx();
    double c0 = cpu_s(), t0 = 0;
    char proto[128] = "?";
    long long got = tls_get(ctx, &sa, n, &t0, proto, sizeof proto);
    double elapsed = now_s() - t0;
    printf("bytes=%lld secs=%.6f cpu=%.6f errors=%d proto=%s\n", got, elapsed, cpu_s() - c0, got < n ? 1 : 0, proto);
    return 0;
}

int main(int argc, char **argv) {
    raise_nofile();
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) goto usage;
    const char *m = argv[1];
    int rc = -1;
    if (!strcmp(m, "sink")) rc = mode_sink(argc, argv);
    else if (!strcmp(m, "send")) rc = mode_send(argc, argv);
    else if (!strcmp(m, "echo")) rc = mode_echo(argc, argv);
    else if (!strcmp(m, "idle")) rc = mode_idle(argc, argv);
    else if (!strcmp(m, "connrate")) rc = mode_connrate(argc, argv);
    else if (!strcmp(m, "threadecho")) rc = mode_threadecho(argc, argv);
    else if (!strcmp(m, "tlshs")) rc = mode_tlshs(argc, argv);
    else if (!strcmp(m, "tlsbulk")) rc = mode_tlsbulk(argc, argv);
    else if (!strcmp(m, "kv")) rc = mode_kv(argc, argv);
    else if (!strcmp(m, "kvidle")) rc = mode_kvidle(argc, argv);
    else if (!strcmp(m, "wsfan")) rc = mode_wsfan(argc, argv);
    if (rc != 1 && rc != -1) return rc;
    if (rc == 0) return 0;
usage:
    fprintf(stderr, "usage: netload sink|send|echo|idle|connrate|threadecho|tlshs|tlsbulk|kv|kvidle|wsfan ...\n");
    return 1;
}
