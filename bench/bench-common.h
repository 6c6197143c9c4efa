/* gst-blockwise benchmarks: timing and test data shared by the benchmark
 * programs (their medians are bw_median()'s).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BENCH_COMMON_H__
#define __BENCH_COMMON_H__

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <glib.h>
#include "summary.h"

static inline double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* xorshift64, 64 bits at a time: the rings are hundreds of MiB. */
static inline void
fill_random (guint8 * data, gsize len, guint64 seed)
{
  guint64 x = seed * 0x9E3779B97F4A7C15ull + 1;
  gsize i;

  for (i = 0; i < len; i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    memcpy (data + i, &x, MIN (8, len - i));
  }
}

#endif /* __BENCH_COMMON_H__ */
