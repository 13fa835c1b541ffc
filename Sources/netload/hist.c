// Latency percentiles and the log2 histogram that echo and kv print on their key=value line.
#include <stdio.h>
#include <stdlib.h>

#include "netload.h"

void hist_add(hist_t *h, double micros) {
    int i = 0;
    double bound = 2;
    while (i < HIST_BUCKETS - 1 && micros >= bound) { i++; bound *= 2; }
    h->counts[i]++;
}

void hist_print(const hist_t *h) {
    int last = HIST_BUCKETS - 1;
    while (last > 0 && h->counts[last] == 0) last--;
    printf(" hist=");
    for (int i = 0; i <= last; i++) printf(i ? ",%llu" : "%llu", h->counts[i]);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void print_percentiles(double *lat, size_t count) {
    qsort(lat, count, sizeof *lat, cmp_double);
    double p50 = count ? lat[count / 2] : 0, p99 = count ? lat[(size_t)(count * 0.99)] : 0;
    double max = count ? lat[count - 1] : 0;
    printf(" p50us=%.1f p99us=%.1f maxus=%.1f", p50, p99, max);
}
