/* gst-blockwise: settings of the TIFF reader for its tests only, so that
 * what depends on time and on the system can be tested without either.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BW_TIFFREADER_TESTING_H
#define BW_TIFFREADER_TESTING_H

#include "tiffreader.h"

G_BEGIN_DECLS
/* How often the progress callback is called, in microseconds (100 ms by
 * default).  0: once before the first strip or tile, after each one the
 * calling thread decodes, and about every millisecond while it waits for
 * the other threads. */
void bw_tiff_reader_set_progress_interval (BwTiffReader * reader,
    gint64 interval);

/* Decoding threads after the first n_started (not counting the calling
 * thread) fail to start, as when the system has no more threads to give
 * (G_MAXUINT: as many start as the system allows). */
void bw_tiff_reader_set_threads_that_start (BwTiffReader * reader,
    guint n_started);

/* The bytes of strip and tile buffers the reader keeps between reads. */
gsize bw_tiff_reader_get_scratch_bytes (BwTiffReader * reader);

G_END_DECLS
#endif
