/* gst-blockwise: exact per-block statistics of two grayscale planes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A small library with no GStreamer dependency (GLib only).  Given two planes
 * A (reference) and B (compared) of the same width and height, it divides
 * them into blocks of block_width x block_height pixels and computes, per
 * block, the exact integer sums  Σa, Σb, Σa², Σb², Σab  and from them, in
 * double precision, the means, the population standard deviations
 * (ddof = 0), the covariance and the Pearson correlation coefficient r.
 *
 * Samples are 8-bit or 16-bit unsigned; 16-bit samples are little- or
 * big-endian and are read in place.  A and B may differ in format.
 *
 * The work is split by block rows: bw_stats_compute_rows() computes any
 * range of block rows, so callers can run disjoint ranges on several threads
 * (each with its own BwScratch) and get results identical to one call.
 */
#ifndef __BW_BLOCKSTATS_H__
#define __BW_BLOCKSTATS_H__

#include <glib.h>

G_BEGIN_DECLS

/* Largest accepted block side, in pixels. */
#define BW_MAX_BLOCK_SIZE 4096
/* Frame sides: rows index their samples with 32-bit offsets (2 * x for
 * 16-bit samples, ORC's int counts). */
#define BW_MAX_SIDE G_MAXINT

typedef enum
{
  BW_SAMPLE_U8 = 0,             /* 8-bit unsigned */
  BW_SAMPLE_U16LE,              /* 16-bit unsigned, little-endian */
  BW_SAMPLE_U16BE               /* 16-bit unsigned, big-endian */
} BwSampleFormat;

typedef enum
{
  BW_EDGE_TRIM = 0,             /* drop partial blocks at right/bottom edges */
  BW_EDGE_PARTIAL               /* keep them as smaller blocks */
} BwEdgeMode;

/* Which implementation computes the sums; the results are identical in
 * every case.  AUTO picks, where it applies (equal formats, even block
 * widths), the AVX2 path when the CPU has it, else the ORC kernels when ORC
 * compiled them to machine code, and the C column sums elsewhere.
 * BLOCKWISE_KERNEL=reference|c|orc|avx2|avx512 in the environment makes
 * AUTO use that implementation (where it applies), for the block sums, the
 * search's cross sums and bw_stats_from_sums_many() alike. */
typedef enum
{
  BW_IMPL_AUTO = 0,
  BW_IMPL_C,                    /* portable C column sums */
  BW_IMPL_REFERENCE,            /* plain per-block C loops: the reference */
  BW_IMPL_ORC,                  /* ORC kernels where they apply, even when ORC
                                 * runs its C backup code (ORC_CODE=backup);
                                 * the C column sums elsewhere */
  BW_IMPL_AVX2,                 /* AVX2 where it applies and the CPU has it;
                                 * else as AUTO without the vector paths */
  BW_IMPL_AVX512                /* AVX-512BW likewise */
} BwImpl;

/* Whether the CPU (and this build) has the AVX2 / AVX-512BW paths. */
gboolean bw_stats_avx2_available (void);
gboolean bw_stats_avx512_available (void);

/* One plane: first byte of the top row, bytes from one row to the next
 * (negative for rows stored bottom-up), sample format.  Padding bytes
 * between the end of a row and the next row are never read. */
typedef struct
{
  const guint8 *data;
  gssize stride;
  BwSampleFormat format;
} BwPlane;

/* Frame and block geometry. */
typedef struct
{
  guint width;                  /* 1 .. BW_MAX_SIDE */
  guint height;                 /* 1 .. BW_MAX_SIDE */
  guint block_width;            /* 1 .. BW_MAX_BLOCK_SIZE */
  guint block_height;           /* 1 .. BW_MAX_BLOCK_SIZE */
  BwEdgeMode edge_mode;
} BwGeometry;

/* Exact sums of one block.  n <= 4096*4096 = 2^24 and every sample is below
 * 2^16, so each sum of squares/products is below 2^56: 64 bits suffice. */
typedef struct
{
  guint64 n;
  guint64 sum_a;
  guint64 sum_b;
  guint64 sum_aa;
  guint64 sum_bb;
  guint64 sum_ab;
} BwBlockSums;

/* Statistics of one block, derived from BwBlockSums.  r is NaN (and valid
 * FALSE) when either input has zero variance in the block. */
typedef struct
{
  guint32 n;
  gboolean valid;
  double mean_a;
  double mean_b;
  double stddev_a;
  double stddev_b;
  double covariance;
  double r;                     /* in [-1, 1], or NaN */
} BwBlockStats;

/* Per-thread working memory (column accumulators).  Not thread-safe: use one
 * per thread. */
typedef struct _BwScratch BwScratch;

BwScratch *bw_scratch_new (void);
void bw_scratch_free (BwScratch * scratch);

/* Grid size for a geometry: number of block columns and rows.  Returns FALSE
 * (and 0x0) when the geometry is invalid (sides of 0 or above BW_MAX_SIDE,
 * blocks out of range) or
 * the grid is empty (trim mode with a block larger than the frame). */
gboolean bw_geometry_grid_size (const BwGeometry * geom, guint * cols,
    guint * rows);

/* A computation prepared once for a frame: the geometry, the two planes and
 * the path chosen for them (by implementation, formats, block width and
 * alignment).  Read-only once initialised, so threads can share one. */
typedef struct
{
  BwGeometry geom;
  BwPlane a;
  BwPlane b;
  guint cols;
  guint rows;
  const gchar *path_name;       /* "avx512", "avx2", "orc", "c" or
                                 * "reference" */
  /*< private > */
  gconstpointer kernels;        /* the BwKernels table (kernels.h) */
  gpointer row_func;
} BwStatsPlan;

/* Validates the arguments and takes the path from impl's kernel table
 * (kernels.h).  Returns FALSE (and a plan that computes nothing) on an
 * invalid impl, formats or geometry, or an empty grid. */
gboolean bw_stats_plan_init (BwStatsPlan * plan, BwImpl impl,
    const BwGeometry * geom, const BwPlane * a, const BwPlane * b);

/* Computes the sums of block rows [row_start, row_end) into
 * sums[(row - row_start) * cols + col].  Returns FALSE on an invalid plan or
 * range.  Thread-safe for disjoint ranges with separate scratch objects. */
gboolean bw_stats_plan_rows (const BwStatsPlan * plan, BwScratch * scratch,
    guint row_start, guint row_end, BwBlockSums * sums);

/* bw_stats_plan_init() and bw_stats_plan_rows() in one call. */
gboolean bw_stats_compute_rows (BwScratch * scratch, BwImpl impl,
    const BwGeometry * geom, const BwPlane * a, const BwPlane * b,
    guint row_start, guint row_end, BwBlockSums * sums);

/* Derives means, standard deviations, covariance and r from exact sums.
 * Accurate when the variance is tiny next to the mean: the centred moments
 * n·Σa² − (Σa)² are computed exactly in 128-bit integer arithmetic before the
 * conversion to double. */
void bw_stats_from_sums (const BwBlockSums * sums, BwBlockStats * stats);

/* bw_stats_from_sums() for count blocks, with the same results bit for bit
 * (four at a time in vectors where the CPU has AVX2). */
void bw_stats_from_sums_many (const BwBlockSums * sums, BwBlockStats * stats,
    gsize count);

/* "avx2" or "c": what bw_stats_from_sums_many() runs.  For tests and
 * benchmarks. */
const gchar *bw_stats_moments_path_name (void);

/* TRUE when the ORC kernels are compiled in and ORC produced code for them
 * (FALSE when ORC is disabled or falls back to its C backup code). */
gboolean bw_stats_orc_available (void);

/* Name of the implementation that impl resolves to for this pair of formats
 * and block width ("avx512", "avx2", "orc", "c" or "reference"; alignment
 * aside; "none" for an invalid impl or format).  For tests and
 * benchmarks. */
const gchar *bw_stats_impl_name (BwImpl impl, BwSampleFormat fa,
    BwSampleFormat fb, guint block_width);

G_END_DECLS

#endif /* __BW_BLOCKSTATS_H__ */
