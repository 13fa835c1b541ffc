// netload's shared helpers (defined in main.c) and the modes that live in files of their own.
#ifndef NETLOAD_H
#define NETLOAD_H
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

double now_s(void);
double cpu_s(void);
void die(const char *what);
struct sockaddr_in parse_addr(const char *text);
void set_nonblock(int fd);
int blocking_connect(const struct sockaddr_in *sa);

/// A latency histogram in log2 buckets of microseconds: bucket 0 holds [0, 2) µs, bucket i
/// holds [2^i, 2^(i+1)) µs, the last bucket everything above. Printed as `hist=c0,c1,…` (the
/// counts, trailing empty buckets left off), so one key=value line carries it.
#define HIST_BUCKETS 32
typedef struct {
    unsigned long long counts[HIST_BUCKETS];
} hist_t;

void hist_add(hist_t *h, double micros);
/// Appends ` hist=c0,c1,…` to stdout (no newline).
void hist_print(const hist_t *h);
/// Sorts `lat` (count values, µs) and prints ` p50us=… p99us=… maxus=…` (no newline).
void print_percentiles(double *lat, size_t count);

int mode_kv(int argc, char **argv);
int mode_kvidle(int argc, char **argv);
int mode_wsfan(int argc, char **argv);
#endif
