/* gst-blockwise: from per-block results to "registered or not, and where".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Informative blocks: valid (not background, both sides vary) and, with a
 * displacement search, with a best r clearly above what noise gives
 * (Fisher z of r-best above 5 standard errors, 1 / sqrt (n - 3)) and at
 * least one offset besides (0, 0) tried.
 *
 * Global shift: the median displacement of the informative blocks whose
 * search was whole (every offset inside the frame) and whose sub-pixel fit
 * found a peak along both axes (all informative blocks when fewer than a
 * quarter qualify): at the edges the search is one-sided and the estimate
 * snaps to whole pixels.  The search is centred on the coarse global shift
 * (global-shift.h), so the displacements are whole, centre included.  It
 * is significant when its length is at least shift_tolerance and at least
 * three standard errors of the median.  It is at the limit when the coarse
 * estimate lay on the bound of its range, or, when none was found, when
 * it is significant and most of those blocks' best offsets lie on the
 * search radius.
 *
 * Suspect blocks, with a search: the displacement differs from the frame's
 * reference (the global shift when significant, else (0, 0)) by at least
 * half a pixel, and the best offset gains more r over the reference than
 * noise explains (Fisher z difference above 4 standard errors of a
 * difference, sqrt (2 / (n - 3))), r at the reference being the best of
 * the whole-pixel offsets around it (r_at gives those away from (0, 0)),
 * the block could try the offsets around the reference (at the frame's
 * edges the search is one-sided), and, with r_pair, the best r beats r
 * at the place the best offset points to if nothing moved there: B's
 * window there against A's window at the same place less the reference.
 * A faint block's r rises as B's window takes in more of a brighter edge
 * (more signal against the same noise; the more so when B is dimmer, as
 * with bleaching) without any displacement; then A's window moved along
 * fits B's at least as well, while content that moved fits only where it
 * came from.  Both r are of the same B window: the better fit of the two
 * explanations wins, with no margin.  A flat A window explains nothing;
 * where A's window would leave the frame (a global shift, at the frame's
 * edges) the block cannot be told from an intensity change and is not
 * suspect.  Also suspect, with a search, are unmatched blocks, whose best
 * r is far below what the frame's noise leaves for a block with as much
 * texture: matched up to noise of variance v in each image, a block of
 * standard deviations sa, sb keeps r_e = 1 - v (1/sa² + 1/sb²) / 2; v is
 * the larger of the median over the informative blocks of the v that
 * explains their best r, and of the median of that v per unit of intensity
 * times the block's mean intensity (photon noise grows with the
 * intensity), and a block is unmatched when 1 - r_best > 4 (1 - r_e) and
 * r_best < r_e - 0.2: its content moved further than the search radius,
 * turned, or changed.  A flat, noisy block expects a low r and is not
 * unmatched; nor is a block that could not try the offsets around the
 * reference.  Without a search: r below the frame's median by more than 4
 * robust standard deviations (1.4826 · MAD, at least 0.01) and,
 * where the pair's noise is known (see background.h), below the r that
 * noise leaves for the block's texture, sqrt ((1 - va / sa²) (1 - vb /
 * sb²)), by more than 4 standard errors of Fisher's z, 1 / sqrt (n - 3):
 * weak texture under photon noise has a low r wherever it is.
 *
 * Moved groups, with a search and r_at: where the noise hides a
 * displacement from each block alone, a moved region still shows as
 * neighbours that moved alike.  Each informative block is tested at the
 * median whole-pixel displacement of its informative neighbours (3x3, at
 * least 4 of them, its own left out; not at the whole-pixel offsets
 * around the reference): its gain there over r at the reference, in
 * standard errors of a difference.  Blocks side by side tested at the same
 * displacement form a group; a group of at least min_region_blocks whose
 * gains sum to more than 4 standard errors of the sum (4 sqrt (m) for m
 * blocks), and, with r_pair, whose windows fit B better moved than still
 * summed over the group (the still-pair test above, pooled), moved.  Its
 * blocks that gain there are suspect, and so, one after the other, are the
 * informative blocks next to them whose neighbours moved within a pixel
 * alike, that gain more than 1.5 standard errors at the group's
 * displacement and beat their still pair there.
 *
 * Regions: suspect blocks within a link distance of each other (Chebyshev,
 * in blocks: 2, or the typical spacing of informative blocks when they are
 * sparse, as with beads on a dark background; blocks of moved groups also
 * link, up to 6 blocks, to blocks of moved groups whose displacement
 * agrees within a pixel, across flat parts) form a region; a region
 * counts when at least min_region_blocks of its blocks are unmatched or
 * agree with the median displacement d of its displaced blocks: within a
 * pixel of it, or on the way to it from the reference (a block half
 * covered by a moved region moves part of the way): projected onto the
 * line from the reference to d at 0.25 .. 1.25 of it, at most a pixel off
 * that line (without a search: when it has that many blocks).  A counted
 * region also takes its informative neighbours that moved part of the way
 * with it (blocks the moved content covers only in part).
 *
 * Verdict: no-texture when fewer than MIN (8, blocks / 4) (at least 1)
 * blocks are informative; needs-registration when the global shift is
 * significant, a region counts, or, without a search, the frame's median r
 * is within noise of 0 (uncorrelated); registered otherwise.
 */
#ifndef __BW_VERDICT_H__
#define __BW_VERDICT_H__

#include "background.h"
#include "displacement.h"
#include "worker.h"

G_BEGIN_DECLS

typedef enum
{
  BW_VERDICT_REGISTERED = 0,
  BW_VERDICT_NEEDS_REGISTRATION,
  BW_VERDICT_NO_TEXTURE
} BwVerdictKind;

/* "registered", "needs-registration" or "no-texture". */
const gchar *bw_verdict_name (BwVerdictKind kind);

#define BW_MAX_REPORTED_REGIONS 8

typedef struct
{
  /* Bounding box of the region's blocks, in pixels of the input image. */
  guint x, y, width, height;
  guint blocks;
  gdouble median_r;             /* median r at (0, 0), NaN when none valid */
  gdouble shift_x, shift_y;     /* median displacement, px (NaN without a
                                 * search, or when every block of the
                                 * region is unmatched) */
  guint unmatched;              /* blocks with no match within the radius */
  gboolean at_radius;           /* most blocks' best offset is on the
                                 * search radius: maybe displaced further */
} BwRegion;

typedef struct
{
  guint cols, rows;
  guint width, height;          /* of the input image, px */
  guint block_width, block_height;
  guint search_radius;          /* 0: r only */
  /* The centre of the search (offsets tried: centre +- search_radius),
   * whether a coarse global shift was found (the centre is then within
   * half a pixel of it, or (0, 0) when it lies within the radius) and
   * whether it lay on the bound of its range. */
  gint centre_x, centre_y;
  gboolean coarse_found;
  gboolean coarse_at_limit;
  guint min_region_blocks;
  gdouble shift_tolerance;      /* px */
  /* For unmatched blocks: the standard deviation and mean grids of the two
   * images (NULL: no block is unmatched). */
  const gfloat *stddev_a, *stddev_b;
  const gfloat *mean_a, *mean_b;
  /* r of a block at a whole-pixel offset (bw_search_block_r() on the
   * frame), for the gain over a global shift; NULL: the gain is measured
   * over (0, 0). */
  gdouble (*r_at) (gpointer data, gsize block, gint dx, gint dy);
  /* r of A's window moved by (ax, ay) against B's moved by (bx, by)
   * (bw_search_pair_r_at()), with r_at_data; NULL: a displaced block's
   * gain is measured against its own place only. */
  gdouble (*r_pair) (gpointer data, gsize block, gint ax, gint ay, gint bx,
      gint by);
  gpointer r_at_data;
  /* The median of r over the valid blocks when the caller has it (the
   * summary's), else NaN: without a search it is the frame's typical r. */
  gdouble median_r;
  /* The two images' background estimates, whose pair's noise (NaN when
   * not estimated) tells, without a search, what r a block's texture
   * keeps; NULL: none. */
  const BwBackground *noise;
  /* Threads for the per-block rules: n_threads as bw_worker_run() takes
   * it, on worker; NULL: the caller's thread only.  Each block row is
   * judged whole by one thread: the verdict does not depend on them. */
  BwWorker *worker;
  guint n_threads;
} BwVerdictParams;

typedef struct
{
  BwVerdictKind verdict;
  guint informative;
  gdouble shift_x, shift_y;     /* median over informative blocks, px; NaN
                                 * without a search or without blocks */
  gboolean shift_significant;
  /* The shift may be larger than measured: the coarse estimate lay on the
   * bound of its range (a quarter of the frame), or none was found and
   * most blocks' best offsets lie on the search radius. */
  gboolean shift_at_limit;
  /* Without a search: the frame's median r is within noise of 0 (Fisher z
   * below 5 standard errors): the images do not correlate. */
  gboolean uncorrelated;
  guint n_regions;              /* regions that count */
  guint n_reported;             /* of them in regions[], largest first */
  BwRegion regions[BW_MAX_REPORTED_REGIONS];
  /* The median r of the valid blocks whose top-left corner lies in none of
   * the reported regions: how well the rest of the frame is aligned (NaN
   * when no such block is valid). */
  gdouble median_r_outside;
} BwVerdict;

/* Working memory, grown on demand, for one thread. */
typedef struct _BwVerdictWork BwVerdictWork;

BwVerdictWork *bw_verdict_work_new (void);
void bw_verdict_work_free (BwVerdictWork * work);

/* The verdict of a frame from its grids (rows x cols): r at (0, 0), NaN
 * where invalid or background; shift, the search's results (rows x cols of
 * them) when p->search_radius > 0, else NULL or anything (it is not read
 * then).  suspect, when not NULL, receives per block 1 for the blocks of
 * counted regions, else 0. */
void bw_verdict_compute (const BwVerdictParams * p, const gfloat * r,
    const BwBlockShift * shift, BwVerdictWork * work, BwVerdict * out,
    guint8 * suspect);

G_END_DECLS
#endif /* __BW_VERDICT_H__ */
