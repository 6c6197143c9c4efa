/* gst-blockwise command line: the analysis of frame pairs, one blockcorr
 * element between two appsrcs and an appsink, or of a stack's frames
 * against their reference, one blockdrift element between an appsrc and
 * an appsink.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BC_CORRELATE_H__
#define __BC_CORRELATE_H__

#include <gst/gst.h>

#include "params.h"

G_BEGIN_DECLS

typedef struct _BcCorrelator BcCorrelator;

/* blockdrift's own settings, as its properties' nicks. */
typedef struct
{
  const gchar *reference;       /* first|previous */
  const gchar *correct;         /* none|shift|affine */
  const gchar *border;          /* edge|constant */
  guint fill;                   /* in sample units */
} BcDriftSettings;

/* A playing pipeline analysing with params (n_threads and shift_tolerance
 * are the element's own): pairs through blockcorr, or with drift, the
 * frames of one input through blockdrift (whose output is the frame,
 * corrected as drift says).  NULL and error when it cannot start. */
BcCorrelator *bc_correlator_new (const BwParams * params,
    const BcDriftSettings * drift, GError ** error);

/* blockdrift's next frame becomes its reference. */
void bc_correlator_reset_reference (BcCorrelator * corr);

/* Hands frame n of one input (0: reference or blockdrift's only one, 1:
 * compared) to the analysis. */
void bc_correlator_push (BcCorrelator * corr, guint input,
    GstSample * frame, guint n);

/* The analysis of the pair just pushed: a sample whose buffer carries
 * GstBlockCorrMeta, or NULL and error with the element's error. */
GstSample *bc_correlator_pull (BcCorrelator * corr, GError ** error);

void bc_correlator_free (BcCorrelator * corr);

G_END_DECLS

#endif /* __BC_CORRELATE_H__ */
